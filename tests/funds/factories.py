from __future__ import annotations

import itertools

from bureau.choices import UnitKind
from funds.choices import AccountKind
from funds.ledger import account_open
from funds.models import Account
from tests.bureau.factories import UnitFactory

_codes = itertools.count()


def account(kind: str = AccountKind.PROGRAMME_BUDGET, *, unit=None, allow_negative=None) -> Account:
    n = next(_codes)
    owner = unit or UnitFactory(code="fund-owner", kind=UnitKind.BUREAU)
    return account_open(code=f"acct-{n}", name=f"账户{n}", kind=kind, owner_unit=owner, allow_negative=allow_negative)
