"""What the outreach importers share: the unit column."""

from __future__ import annotations

from laomo.core.importing import Column

UNIT = Column("unit", "所属单位", ("单位", "所属工会", "组织单位", "县(市、区)", "所属地区", "地区", "填报单位"),
              example="莲都区")
