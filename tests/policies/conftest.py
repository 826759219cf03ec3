import pytest

from bureau.choices import UnitKind
from bureau.roles import Role
from tests.bureau.factories import UnitFactory, UserFactory


@pytest.fixture
def city():
    root = UnitFactory(code="city-gov", kind=UnitKind.CITY, name="温州市人民政府")
    bureau = UnitFactory(code="net-bureau", kind=UnitKind.BUREAU, parent=root, name="网络经济发展局")
    dept = UnitFactory(code="commerce", kind=UnitKind.DEPARTMENT, parent=root, name="温州市商务局")
    return {"root": root, "bureau": bureau, "dept": dept}


@pytest.fixture
def staff(city):
    return UserFactory(username="policy-staff", roles=[Role.BUREAU_STAFF], unit=city["bureau"])


@pytest.fixture
def division(city):
    return UserFactory(username="policy-division", roles=[Role.DIVISION_STAFF], unit=city["dept"])


@pytest.fixture
def api_client_user(city):
    return UserFactory(username="policy-api", roles=[Role.API_CLIENT], unit=city["dept"])


@pytest.fixture
def leader(city):
    return UserFactory(username="policy-leader", roles=[Role.LEADER], unit=city["bureau"])
