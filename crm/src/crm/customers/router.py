from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from crm.api_types import RowId
from crm.customers.schemas import CustomerPage, CustomerProfile
from crm.customers.service import CustomerService
from crm.db import SessionDep

router = APIRouter(prefix="/api/customers", tags=["customers"])


@router.get("", response_model=CustomerPage)
async def list_customers(
    session: SessionDep,
    q: Annotated[str | None, Query(max_length=200, description="name, email, phone, city or id")] = None,
    cursor: Annotated[str | None, Query(max_length=40)] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
) -> CustomerPage:
    return await CustomerService(session).search(q, cursor, limit)


@router.get("/{customer_id}", response_model=CustomerProfile)
async def get_customer(customer_id: RowId, session: SessionDep) -> CustomerProfile:
    return await CustomerService(session).profile(customer_id)
