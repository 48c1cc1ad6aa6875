"""Parameter types shared by the routers."""

from __future__ import annotations

from typing import Annotated

from fastapi import Path
from pydantic import Field

MAX_ID = 2**63 - 1  # BIGINT; larger numbers cannot name a row

RowId = Annotated[int, Path(ge=1, le=MAX_ID, description="a row id")]
BodyId = Annotated[int, Field(ge=1, le=MAX_ID, description="a row id")]
