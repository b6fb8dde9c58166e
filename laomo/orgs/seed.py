"""The org tree every deployment starts with (DESIGN.md §4): 丽水市, 市本级 and nine county units."""

LISHUI_ROOT = ("331100", "丽水市总工会", "丽水市", "city")
LISHUI_CHILDREN = [
    ("331101", "市本级(市直)", "市本级", "city_direct"),
    ("331102", "莲都区总工会", "莲都区", "county"),
    ("331121", "青田县总工会", "青田县", "county"),
    ("331122", "缙云县总工会", "缙云县", "county"),
    ("331123", "遂昌县总工会", "遂昌县", "county"),
    ("331124", "松阳县总工会", "松阳县", "county"),
    ("331125", "云和县总工会", "云和县", "county"),
    ("331126", "庆元县总工会", "庆元县", "county"),
    ("331127", "景宁畲族自治县总工会", "景宁畲族自治县", "county"),
    ("331181", "龙泉市总工会", "龙泉市", "county"),
]
