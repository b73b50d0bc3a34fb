"""The brand table (品牌): the names a listing may begin with, longest first when one is a prefix of another.

Listings write the brand either as its own word ("大众 速腾 2018款 …") or glued to the series
("宝马5系 2021款 …", "大众POLO …"); a sub-brand (东风风神, 北汽绅宝, 长安欧尚) is a brand of its own because
its series are sold under it. Latin brands (Jeep, MINI, DS, MG, WEY, Smart) match case-insensitively.
Aliases map another common spelling to the name used here.
"""

from __future__ import annotations

BRANDS: tuple[str, ...] = (
    # imported and joint-venture brands
    "奥迪", "宝马", "奔驰", "保时捷", "宾利", "本田", "标致", "别克", "大众", "道奇", "法拉利", "菲亚特", "丰田",
    "福特", "捷豹", "凯迪拉克", "克莱斯勒", "兰博基尼", "雷克萨斯", "雷诺", "林肯", "铃木", "路虎", "马自达",
    "玛莎拉蒂", "讴歌", "起亚", "日产", "三菱", "斯巴鲁", "斯柯达", "沃尔沃", "西雅特", "现代", "雪佛兰",
    "雪铁龙", "英菲尼迪", "阿尔法·罗密欧", "阿斯顿·马丁", "劳斯莱斯", "迈凯伦", "特斯拉", "极星", "双龙",
    "Jeep", "MINI", "Smart", "DS", "MG",
    # Chinese brands and sub-brands
    "比亚迪", "吉利", "领克", "几何", "长城", "哈弗", "WEY", "坦克", "长安", "长安欧尚", "长安商用", "长安凯程",
    "奇瑞", "星途", "捷途", "传祺", "荣威", "名爵", "红旗", "奔腾", "一汽", "宝骏", "新宝骏", "五菱", "启辰",
    "东风", "东风风神", "东风风行", "东风风光", "东风风度", "东风小康", "东南", "江淮", "江铃", "海马", "中华",
    "众泰", "北京", "北京汽车", "北汽绅宝", "北汽幻速", "北汽威旺", "北汽新能源", "观致", "陆风", "纳智捷",
    "思铭", "凯翼", "比速汽车", "福田", "汉腾", "斯威", "力帆", "猎豹", "野马", "华泰", "君马", "宝沃",
    "蔚来", "小鹏", "理想", "威马", "哪吒", "零跑", "广汽新能源", "埃安", "岚图", "极氪", "腾势", "魏牌",
)

ALIASES: dict[str, str] = {
    "梅赛德斯-奔驰": "奔驰", "梅赛德斯奔驰": "奔驰", "吉普": "Jeep", "JEEP": "Jeep", "广汽传祺": "传祺",
    "上汽大众": "大众", "一汽-大众": "大众", "一汽大众": "大众", "华晨宝马": "宝马", "北京奔驰": "奔驰",
    "广汽丰田": "丰田", "一汽丰田": "丰田", "东风本田": "本田", "广汽本田": "本田", "东风日产": "日产",
    "上汽通用别克": "别克", "长安福特": "福特", "北京现代": "现代", "东风悦达起亚": "起亚", "一汽奥迪": "奥迪",
    "上汽荣威": "荣威", "名爵MG": "MG", "SMART": "Smart", "smart": "Smart",
}


def _ordered() -> tuple[tuple[str, str], ...]:
    pairs = [(b.casefold(), b) for b in BRANDS] + [(a.casefold(), b) for a, b in ALIASES.items()]
    return tuple(sorted(set(pairs), key=lambda p: -len(p[0])))


_BY_LENGTH = _ordered()


def match_brand(word: str) -> tuple[str, str] | None:
    """The brand a word begins with, longest match first, and the rest of the word: ("宝马", "5系")."""
    folded = word.casefold()
    for key, brand in _BY_LENGTH:
        if folded.startswith(key):
            return brand, word[len(key):]
    return None
