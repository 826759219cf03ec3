"""Two-factor sign-in in tests: a real TOTP device, and the code an authenticator app would show."""

from __future__ import annotations

from typing import Any

from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from bureau.models import User


def enrol(user: User) -> TOTPDevice:
    """The user's confirmed authenticator (made if missing)."""
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    return device or TOTPDevice.objects.create(user=user, name="phone", confirmed=True)


def pass_second_factor(client: Any, user: User) -> None:
    """Mark a test client's signed-in session as verified by the user's authenticator (made if missing),
    as django-otp does after a correct code; for users who need no second factor and have none, nothing."""
    from django_otp import DEVICE_ID_SESSION_KEY

    from bureau.permissions import two_factor_required

    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    if device is None and two_factor_required(user):
        device = enrol(user)
    if device is not None:
        session = client.session
        session[DEVICE_ID_SESSION_KEY] = device.persistent_id
        session.save()


def code_for(device: TOTPDevice, steps_ahead: int = 0) -> str:
    """The code the app shows now (or `steps_ahead` periods later: a code is accepted once, and the
    device allows one period of clock drift), computed from the device's key like the app does."""
    import time

    device.refresh_from_db()
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = time.time() + steps_ahead * device.step
    return f"{totp.token():0{device.digits}d}"


def code_for_key(base32_key: str) -> str:
    """The code for a key read from the enrolment page (as typed into an app by hand)."""
    from base64 import b32decode

    totp = TOTP(b32decode(base32_key.replace(" ", "")), 30, 0, 6, 0)
    return f"{totp.token():06d}"


def sign_in(page: Any, base: str, username: str, password: str, next_path: str = "/") -> None:
    """Sign in through the login page and, for accounts that need it, the code page (a device made here)."""
    from bureau.permissions import two_factor_required

    user = User.objects.get(username=username)
    if two_factor_required(user):
        enrol(user)
    page.goto(f"{base}/accounts/login/" + (f"?next={next_path}" if next_path != "/" else ""))
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(password)
    page.get_by_role("button", name="登录").click()
    if TOTPDevice.objects.filter(user=user, confirmed=True).exists():
        page.wait_for_url("**/account/two-factor/**")
        page.get_by_label("验证码").fill(code_for(TOTPDevice.objects.get(user=user, confirmed=True)))
        page.get_by_role("button", name="验证").click()
    page.wait_for_url(f"{base}{next_path}")
