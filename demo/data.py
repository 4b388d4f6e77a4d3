"""The places, people, categories and departments of the demo data (`manage.py seed_demo`).

Place names are real (the seed document's four island towns); every person is invented.
Each record is keyed by its natural key, so that seeding twice changes nothing.
"""

import datetime

DEFAULT_PASSWORD = "liaison-demo-2026"  # noqa: S105 — the documented demo password

# (division code, name, level, parent code)
REGIONS = [
    ("330900", "舟山市", "city", None),
    ("330902", "定海区", "district", "330900"),
    ("330902104", "白泉镇", "township", "330902"),
    ("330902104201", "潮面村", "village", "330902104"),
    ("330902104202", "皋泄村", "village", "330902104"),
    ("330902104203", "米林村", "village", "330902104"),
    ("330921", "岱山县", "district", "330900"),
    ("330921202", "秀山乡", "township", "330921"),
    ("330921202201", "秀东村", "village", "330921202"),
    ("330921202202", "秀南村", "village", "330921202"),
    ("330921202203", "秀北村", "village", "330921202"),
    ("330921202204", "兰山村", "village", "330921202"),
    ("330903", "普陀区", "district", "330900"),
    ("330903003", "东港街道", "township", "330903"),
    ("330903003001", "海华社区", "village", "330903003"),
    ("330903003002", "东晨社区", "village", "330903003"),
    ("330903003003", "莲洋社区", "village", "330903003"),
    ("330922", "嵊泗县", "district", "330900"),
    ("330922102", "洋山镇", "township", "330922"),
]

RAILWAY = "甬舟铁路项目人大代表联络点"
BAIQUAN = "白泉镇人大代表联络站"
XIUSHAN = "秀山乡人大代表联络站"
DONGGANG = '东港街道"e应民声"基层单元'
YANGSHAN = "洋山镇人大代表联络站"
SHOPS = ["秀东村民生小铺", "秀南村民生小铺", "秀北村民生小铺", "兰山村民生小铺"]

# name -> (kind, region code, address, phone, description; "{head}" is the shop's 铺长)
STATIONS = {
    RAILWAY: (
        "point",
        "330902104201",
        "定海区白泉镇潮面村村民服务中心二楼",
        "0580-8061523",
        "设在甬舟铁路项目上的人大代表联络点。镇人大主席团5名成员下沉，13名市、区、镇三级人大代表进驻，"
        "其中2名区人大代表、3名镇人大代表常驻，围绕征地补偿、房屋评估、杨梅树移栽等政策处理问题听取群众意见。",
    ),
    BAIQUAN: (
        "station",
        "330902104",
        "定海区白泉镇白泉大街128号镇便民服务中心一楼",
        "0580-8062107",
        "白泉镇人大代表联络站。每月第一个星期三为代表集中接待日，联络站码和代表码贴到村民家门口。",
    ),
    XIUSHAN: (
        "station",
        "330921202",
        "岱山县秀山乡秀山路18号乡政府大院一楼",
        "0580-4420316",
        "秀山乡人大代表联络站，“乡长有约”活动所在地：政府点题、代表出题，约见后实地视察，件件有回声、事事有落实。",
    ),
    SHOPS[0]: (
        "shop",
        "330921202201",
        "岱山县秀山乡秀东村沿街铺面5号",
        "0580-4420521",
        "民生小铺，铺长：{head}。每月15日轮值的县、乡人大代表在此接待选民，平时提供代办、代购等“四代”服务。",
    ),
    SHOPS[1]: (
        "shop",
        "330921202202",
        "岱山县秀山乡秀南村村委会旁",
        "0580-4420522",
        "民生小铺，铺长：{head}。每月15日轮值代表“零距离”倾听百姓诉求。",
    ),
    SHOPS[2]: (
        "shop",
        "330921202203",
        "岱山县秀山乡秀北村老街12号",
        "0580-4420523",
        "民生小铺，铺长：{head}。每月15日轮值代表接待选民，收集的民情民意作为“代表出题”的来源。",
    ),
    SHOPS[3]: (
        "shop",
        "330921202204",
        "岱山县秀山乡兰山村渔港路3号",
        "0580-4420524",
        "民生小铺，铺长：{head}。每月15日轮值代表接待选民，渔民出海前后都能来坐坐。",
    ),
    DONGGANG: (
        "station",
        "330903003",
        "普陀区东港街道东港邻里中心（社区百姓幸福会所）三楼",
        "0580-3816270",
        "400余平方米的人大践行全过程人民民主基层单元，配有数字触控大屏和LED展示屏；"
        "代表和民主议事员通过基层治理四平台“平台搜、精准议、代表督”。",
    ),
    YANGSHAN: (
        "station",
        "330922102",
        "嵊泗县洋山镇大洋路66号镇政府一楼",
        "0580-5891102",
        "洋山镇人大代表联络站。年中人代会“大会问政”的问题在此收集，会后跟踪督办清单在此公示。",
    ),
}

# Deputies (invented names): name -> (level, occupation, phone).
DEPUTIES = {
    # 甬舟铁路项目联络点: 13 stationed, 5 resident (2 county + 3 township).
    "孙立军": ("county", "皋泄村党总支书记", "13857201136"),
    "邬美娟": ("county", "白泉镇中心卫生院全科医生", "13906803271"),
    "何国平": ("township", "潮面村个体户（建材店）", "13587032418"),
    "钟秀兰": ("township", "潮面村妇联主席", "15888021357"),
    "周亚东": ("township", "杨梅种植大户", "13735040692"),
    "虞建波": ("city", "海运公司船长", "13967207715"),
    "贺丽萍": ("city", "定海区某中学教师", "13806801942"),
    "邵海军": ("city", "律师", "13757026638"),
    "夏永康": ("county", "水产加工企业负责人", "13819030254"),
    "毛春燕": ("county", "乡村医生", "15957011823"),
    "应志强": ("township", "米林村村委会主任", "13706801597"),
    "戴小芬": ("township", "白泉镇中心幼儿园教师", "15167020738"),
    "陶金华": ("township", "个体户（小超市店主）", "13989205316"),
    # 秀山乡: four shop heads, the station's resident deputy, a provincial deputy.
    "翁海燕": ("township", "个体户（民生小铺店主）", "13605807264"),
    "林国栋": ("township", "渔民（船老大）", "13857089310"),
    "贝秀娟": ("county", "秀北村党支部书记", "13516605829"),
    "王德明": ("township", "退休教师", "13968087743"),
    "俞晓梅": ("township", "秀山乡中心学校教师", "15005802461"),
    "胡建峰": ("provincial", "船舶修造企业技术员", "13587088520"),
    # 东港街道 (a subdistrict has no township congress): district, city, provincial deputies.
    "许海波": ("county", "社区党委书记", "13867056219"),
    "金若兰": ("city", "普陀医院医生", "13905801677"),
    "蒋正宏": ("provincial", "水产企业负责人", "13819098805"),
    # 洋山镇.
    "史大勇": ("township", "渔民", "15968031190"),
    "柴丽君": ("county", "洋山镇中心小学教师", "13735081264"),
}

SINCE = datetime.date(2022, 1, 10)  # the current term (换届) began
RAILWAY_SINCE = datetime.date(2022, 6, 1)

# (deputy, station, kind, start)
STATIONINGS = [
    ("孙立军", RAILWAY, "resident", RAILWAY_SINCE),
    ("邬美娟", RAILWAY, "resident", RAILWAY_SINCE),
    ("何国平", RAILWAY, "resident", RAILWAY_SINCE),
    ("钟秀兰", RAILWAY, "resident", RAILWAY_SINCE),
    ("周亚东", RAILWAY, "resident", RAILWAY_SINCE),
    ("虞建波", RAILWAY, "visiting", RAILWAY_SINCE),
    ("贺丽萍", RAILWAY, "visiting", RAILWAY_SINCE),
    ("邵海军", RAILWAY, "visiting", RAILWAY_SINCE),
    ("夏永康", RAILWAY, "visiting", RAILWAY_SINCE),
    ("毛春燕", RAILWAY, "visiting", RAILWAY_SINCE),
    ("应志强", RAILWAY, "visiting", RAILWAY_SINCE),
    ("戴小芬", RAILWAY, "visiting", RAILWAY_SINCE),
    ("陶金华", RAILWAY, "visiting", RAILWAY_SINCE),
    ("应志强", BAIQUAN, "resident", SINCE),
    ("戴小芬", BAIQUAN, "resident", SINCE),
    ("陶金华", BAIQUAN, "visiting", SINCE),
    ("夏永康", BAIQUAN, "visiting", SINCE),
    ("俞晓梅", XIUSHAN, "resident", SINCE),
    ("贝秀娟", XIUSHAN, "resident", SINCE),
    ("胡建峰", XIUSHAN, "visiting", SINCE),
    ("翁海燕", XIUSHAN, "visiting", SINCE),
    ("林国栋", XIUSHAN, "visiting", SINCE),
    ("王德明", XIUSHAN, "visiting", SINCE),
    ("许海波", DONGGANG, "resident", SINCE),
    ("金若兰", DONGGANG, "visiting", SINCE),
    ("蒋正宏", DONGGANG, "visiting", SINCE),
    ("史大勇", YANGSHAN, "resident", SINCE),
    ("柴丽君", YANGSHAN, "resident", SINCE),
]

# Each shop: its head (resident) and the next shop's head (visiting). On the 15th of month j the
# shop's deputies take turns, so on any date the four shops have four different deputies.
SHOP_HEADS = ["翁海燕", "林国栋", "贝秀娟", "王德明"]
for _i, _shop in enumerate(SHOPS):
    STATIONINGS.append((SHOP_HEADS[_i], _shop, "resident", SINCE))
    STATIONINGS.append((SHOP_HEADS[(_i + 1) % 4], _shop, "visiting", SINCE))

# name -> (reply limit in working days, order)
CATEGORIES = {
    "征地拆迁补偿": (15, 10),
    "交通出行": (10, 20),
    "渔业生产": (10, 30),
    "教育医疗": (10, 40),
    "养老服务": (7, 50),
    "环境卫生": (5, 60),
    "基础设施": (10, 70),
    "水电供应": (3, 80),
    "社会保障": (7, 90),
    "其他": (5, 100),
}

GENERAL_DEPARTMENT = "综合信息指挥室"  # every township has one: the four-platform hub

# (region code, name, code on the governance platform, categories handled)
DEPARTMENTS = [
    ("330902104", "白泉镇城建办", "DH-BQ-CJB", ["基础设施", "环境卫生", "水电供应"]),
    ("330902104", "白泉镇铁路项目政策处理专班", "DH-BQ-ZCCL", ["征地拆迁补偿"]),
    ("330902104", "白泉镇社会事务办", "DH-BQ-SWB", ["养老服务", "社会保障", "教育医疗"]),
    ("330902104", "白泉镇综合信息指挥室", "DH-BQ-ZHXX", ["其他", "交通出行"]),
    ("330902", "定海区交通运输局", "DH-JTYS", ["交通出行"]),
    ("330902", "定海区卫生健康局", "DH-WJ", ["教育医疗"]),
    ("330902", "定海区海洋与渔业局", "DH-HYYY", ["渔业生产"]),
    ("330921202", "秀山乡村镇建设办", "DS-XS-CJB", ["基础设施", "环境卫生", "水电供应", "征地拆迁补偿"]),
    ("330921202", "秀山乡社会事务办", "DS-XS-SWB", ["养老服务", "社会保障", "教育医疗"]),
    ("330921202", "秀山乡综合信息指挥室", "DS-XS-ZHXX", ["其他"]),
    ("330921", "岱山县海洋与渔业局", "DS-HYYY", ["渔业生产"]),
    ("330921", "岱山县交通运输局", "DS-JTYS", ["交通出行"]),
    ("330903003", "东港街道城市管理办", "PT-DG-CGB", ["环境卫生", "基础设施", "水电供应"]),
    ("330903003", "东港街道社会事务办", "PT-DG-SWB", ["养老服务", "社会保障", "教育医疗"]),
    ("330903003", "东港街道综合信息指挥室", "PT-DG-ZHXX", ["其他", "征地拆迁补偿"]),
    ("330903", "普陀区交通运输局", "PT-JTYS", ["交通出行"]),
    ("330903", "普陀区海洋与渔业局", "PT-HYYY", ["渔业生产"]),
    ("330922102", "洋山镇建设办", "SS-YS-JSB", ["基础设施", "环境卫生", "水电供应", "征地拆迁补偿"]),
    ("330922102", "洋山镇社会事务办", "SS-YS-SWB", ["养老服务", "社会保障", "教育医疗"]),
    ("330922102", "洋山镇综合信息指挥室", "SS-YS-ZHXX", ["其他"]),
    ("330922", "嵊泗县海洋与渔业局", "SS-HYYY", ["渔业生产"]),
    ("330922", "嵊泗县交通运输局", "SS-JTYS", ["交通出行"]),
]

# The demo accounts: username -> (last name, first name, what they are).
# kind: admin | deputy (linked to the named deputy) | station_staff (stations) | township_staff or
# county_admin (region code)
ACCOUNTS = {
    "demo_admin": ("郑", "文涛", "admin", None),
    "demo_deputy_a": ("孙", "立军", "deputy", "孙立军"),
    "demo_deputy_b": ("俞", "晓梅", "deputy", "俞晓梅"),
    "demo_station_staff": ("葛", "佳怡", "station_staff", [RAILWAY]),
    "demo_township_staff": ("竺", "海峰", "township_staff", "330902104"),
    "demo_county_admin": ("王", "建国", "county_admin", "330902"),
    # Staff of the other stations, so that their cases have someone to handle them.
    "demo_staff_baiquan": ("胡", "静", "station_staff", [BAIQUAN]),
    "demo_staff_xiushan": ("刘", "芳芳", "station_staff", [XIUSHAN, *SHOPS]),
    "demo_staff_donggang": ("陈", "晓燕", "station_staff", [DONGGANG]),
    "demo_staff_yangshan": ("吴", "斌", "station_staff", [YANGSHAN]),
}
MAIN_ACCOUNTS = [
    "demo_admin",
    "demo_deputy_a",
    "demo_deputy_b",
    "demo_station_staff",
    "demo_township_staff",
    "demo_county_admin",
]
