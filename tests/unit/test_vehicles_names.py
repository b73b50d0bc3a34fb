"""Vehicle names as real listings write them (the shared used-car listings), read into their parts."""

import pytest

from vehicles.names import VehicleNameError, parse_vehicle_name

# name as listed → brand, series, model year, trim, imported, facelift, fuel
LISTED = [
    ("宝马5系 2021款 530Li 尊享型 豪华套装", "宝马", "5系", 2021, "530Li 尊享型 豪华套装", False, False, None),
    ("奔驰GLB 2020款 GLB 200 动感型", "奔驰", "GLB", 2020, "GLB 200 动感型", False, False, None),
    ("路虎 发现神行 2016款 2.0T S", "路虎", "发现神行", 2016, "2.0T S", False, False, None),
    ("沃尔沃XC60 2015款 T5 智雅版(进口)", "沃尔沃", "XC60", 2015, "T5 智雅版", True, False, None),
    ("Jeep 指南者 2014款 2.4L 四驱蛇行珍藏版(进口)", "Jeep", "指南者", 2014, "2.4L 四驱蛇行珍藏版", True, False, None),
    ("丰田 YARiS L 致炫 2016款 改款 1.5E CVT魅动版", "丰田", "YARiS L 致炫", 2016, "1.5E CVT魅动版", False, True, None),
    ("奇瑞 艾瑞泽5 2019款 改款Pro 1.5L CVT青春版 国VI", "奇瑞", "艾瑞泽5", 2019, "Pro 1.5L CVT青春版 国VI", False, True,
     None),
    ("比亚迪 唐新能源 2015款 2.0T 四驱旗舰型", "比亚迪", "唐新能源", 2015, "2.0T 四驱旗舰型", False, False,
     "新能源（未注明类型）"),
    ("大众 帕萨特新能源 2019款 430PHEV 混动精英版", "大众", "帕萨特新能源", 2019, "430PHEV 混动精英版", False, False,
     "插电混动"),
    ("丰田 卡罗拉 2016款 双擎 1.8L CVT精英版", "丰田", "卡罗拉", 2016, "双擎 1.8L CVT精英版", False, False, "油电混合"),
    ("现代 菲斯塔纯电动 2020款 GLX 智捷版", "现代", "菲斯塔纯电动", 2020, "GLX 智捷版", False, False, "纯电动"),
    ("MINI 2011款 1.6L ONE", "MINI", "MINI", 2011, "1.6L ONE", False, False, None),
    ("大众 2016款 途安L 280TSI 手动风尚版", "大众", "途安L", 2016, "280TSI 手动风尚版", False, False, None),
    ("福特 猛禽  3.5T 自动（平行进口）", "福特", "猛禽", None, "3.5T 自动", True, False, None),
    ("奥迪 奥迪Q7  2.0T  自动 平行进口", "奥迪", "Q7", None, "2.0T 自动", True, False, None),
    ("英菲尼迪QX80  5.6L 自动 【平行进口】", "英菲尼迪", "QX80", None, "5.6L 自动", True, False, None),
    ("哈弗H6 2015款 改款 运动版 1.5T 手动两驱精英型", "哈弗", "H6", 2015, "运动版 1.5T 手动两驱精英型", False, True, None),
    ("东风风神A60 2016款 1.5L 手动豪华型", "东风风神", "A60", 2016, "1.5L 手动豪华型", False, False, None),
    ("荣威i6 2017款 20T 自动旗舰版", "荣威", "i6", 2017, "20T 自动旗舰版", False, False, None),
    ("阿尔法·罗密欧 Giulia 2017款 2.0T 280HP 豪华版", "阿尔法·罗密欧", "Giulia", 2017, "2.0T 280HP 豪华版", False, False,
     None),
]


@pytest.mark.parametrize("text,brand,series,year,trim,imported,facelift,fuel", LISTED)
def test_listing_names_are_read_into_their_parts(text, brand, series, year, trim, imported, facelift, fuel):
    name = parse_vehicle_name(text)
    assert (name.brand, name.series, name.model_year, name.trim) == (brand, series, year, trim)
    assert (name.imported, name.facelift, name.fuel) == (imported, facelift, fuel)


def test_glued_and_spaced_spellings_of_a_series_share_one_key():
    assert parse_vehicle_name("宝马5系 2021款 530Li").series_key == parse_vehicle_name("宝马 5系 2021款 530Li").series_key
    assert parse_vehicle_name("宝马5系 2021款 530Li").series_name == "宝马5系"
    assert parse_vehicle_name("大众 速腾 2018款 1.6L").series_name == "大众 速腾"


def test_parallel_import_and_emission_standard_are_read():
    name = parse_vehicle_name("丰田 普拉多  2.7L 自动（平行进口）")
    assert name.imported and name.parallel_import
    assert parse_vehicle_name("大众CC 2019款 330TSI 魅颜版 国V").emission_standard == "国五"
    assert parse_vehicle_name("三菱 欧蓝德 2019款 2.0L 两驱畅享版 5座 国VI").emission_standard == "国六"


def test_new_energy_series_is_new_energy():
    assert parse_vehicle_name("宝马5系新能源 2019款 530Le 豪华套装").new_energy
    assert not parse_vehicle_name("宝马5系 2019款 530Li 豪华套装").new_energy


@pytest.mark.parametrize("text,reason", [
    ("", "车型名称为空"),
    ("某某 2019款 1.5L", "无法识别"),
    ("大众", "没有车系"),
])
def test_unreadable_names_are_refused_with_the_reason(text, reason):
    with pytest.raises(VehicleNameError, match=reason):
        parse_vehicle_name(text)
