from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, StringConstraints

from crm.campaigns.schemas import DestinationUrl

BrandName = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=60, pattern=r"^[^{}<>%]+$")
]
SignOff = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=80, pattern=r"^[^{}<>%]+$")]


class BrandSettings(BaseModel):
    brand_name: BrandName
    sign_off: SignOff
    emoji: bool
    destination_url: DestinationUrl


class BrandSettingsUpdate(BaseModel):
    brand_name: BrandName | None = None
    sign_off: SignOff | None = None
    emoji: bool | None = None
    destination_url: DestinationUrl | None = None
