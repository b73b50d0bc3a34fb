"""City levels (城市等级) for the vehicle model: a city's effect is shrunk toward its level's.

Levels follow the 2020 ranking of 第一财经·新一线城市研究所 (《2020城市商业魅力排行榜》): 一线, 新一线, 二线;
any other city is 其他. Cities are written in Chinese or in pinyin (as the platform's pages are).
"""

from __future__ import annotations

import re

FIRST, NEW_FIRST, SECOND, OTHER = "一线", "新一线", "二线", "其他"

CITIES: dict[str, tuple[str, str]] = {  # pinyin -> (Chinese name, level)
    "beijing": ("北京", FIRST), "shanghai": ("上海", FIRST), "guangzhou": ("广州", FIRST),
    "shenzhen": ("深圳", FIRST),
    "chengdu": ("成都", NEW_FIRST), "chongqing": ("重庆", NEW_FIRST), "hangzhou": ("杭州", NEW_FIRST),
    "wuhan": ("武汉", NEW_FIRST), "xian": ("西安", NEW_FIRST), "tianjin": ("天津", NEW_FIRST),
    "suzhou": ("苏州", NEW_FIRST), "nanjing": ("南京", NEW_FIRST), "zhengzhou": ("郑州", NEW_FIRST),
    "changsha": ("长沙", NEW_FIRST), "dongguan": ("东莞", NEW_FIRST), "shenyang": ("沈阳", NEW_FIRST),
    "qingdao": ("青岛", NEW_FIRST), "hefei": ("合肥", NEW_FIRST), "foshan": ("佛山", NEW_FIRST),
    "ningbo": ("宁波", SECOND), "kunming": ("昆明", SECOND), "fuzhou": ("福州", SECOND), "wuxi": ("无锡", SECOND),
    "xiamen": ("厦门", SECOND), "jinan": ("济南", SECOND), "dalian": ("大连", SECOND), "haerbin": ("哈尔滨", SECOND),
    "wenzhou": ("温州", SECOND), "shijiazhuang": ("石家庄", SECOND), "quanzhou": ("泉州", SECOND),
    "nanning": ("南宁", SECOND), "changchun": ("长春", SECOND), "nanchang": ("南昌", SECOND),
    "guiyang": ("贵阳", SECOND), "jinhua": ("金华", SECOND), "changzhou": ("常州", SECOND),
    "huizhou": ("惠州", SECOND), "jiaxing": ("嘉兴", SECOND), "nantong": ("南通", SECOND), "xuzhou": ("徐州", SECOND),
    "taiyuan": ("太原", SECOND), "zhuhai": ("珠海", SECOND), "zhongshan": ("中山", SECOND),
    "baotou": ("包头", OTHER), "yinchuan": ("银川", OTHER), "taizhou": ("台州", SECOND),
}
_BY_CHINESE = {cn: (pinyin, level) for pinyin, (cn, level) in CITIES.items()}


def city_name(text: str) -> str:
    """The Chinese name of a city written in pinyin or Chinese ("beijing", "北京市" → 北京); other text as given."""
    s = re.sub(r"\s+", "", str(text or "")).strip()
    low = s.lower()
    if low in CITIES:
        return CITIES[low][0]
    bare = s[:-1] if s.endswith("市") and len(s) > 2 else s
    return bare


def city_level(text: str) -> str:
    name = city_name(text)
    return _BY_CHINESE.get(name, (None, OTHER))[1] if name else OTHER
