"""Sign-in and password-reset throttles behind the documented proxy (PROXY_COUNT=1: nginx appends the
client's address to X-Forwarded-For and Konbit sees the proxy's address as REMOTE_ADDR)."""

from __future__ import annotations

import time
from typing import Any

from django.conf import settings
from django.core import mail
from django.core.cache.backends import locmem
from django.test import Client, override_settings

from conftest import World
from tests.factories import UserFactory

PROXY = "10.0.0.2"
RIGHT = "correct horse battery staple"
behind_one_proxy = override_settings(PROXY_COUNT=1)


def via_proxy(client_address: str, spoofed: str = "") -> Client:
    forwarded = f"{spoofed}, {client_address}" if spoofed else client_address
    return Client(REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=forwarded)


@behind_one_proxy
def test_failures_from_one_address_behind_the_proxy_do_not_lock_the_user_out_elsewhere(
    world: World,
) -> None:
    attacker = via_proxy("203.0.113.9")
    for _ in range(5):
        attacker.post("/accounts/login/", {"username": "owner@alpha.example.org", "password": "wrong"})
    locked = attacker.post("/accounts/login/", {"username": "owner@alpha.example.org", "password": RIGHT})
    assert locked.status_code == 429
    # The owner, from another address through the same proxy, still signs in.
    owner = via_proxy("198.51.100.7")
    ok = owner.post("/accounts/login/", {"username": "owner@alpha.example.org", "password": RIGHT})
    assert ok.status_code == 302


@behind_one_proxy
def test_a_forged_forwarded_address_does_not_escape_the_lock(world: World) -> None:
    """Only the entry the proxy appended is believed: the attacker cannot rotate addresses by
    writing its own X-Forwarded-For."""
    for n in range(5):
        via_proxy("203.0.113.9", spoofed=f"192.0.2.{n}").post(
            "/accounts/login/", {"username": "owner@alpha.example.org", "password": "wrong"}
        )
    locked = via_proxy("203.0.113.9", spoofed="192.0.2.99").post(
        "/accounts/login/", {"username": "owner@alpha.example.org", "password": RIGHT}
    )
    assert locked.status_code == 429


def reset(client: Client, email: str) -> Any:
    return client.post("/accounts/password-reset/", {"email": email})


def test_password_reset_is_throttled_per_address_and_says_the_same_either_way(world: World) -> None:
    answers = [reset(Client(REMOTE_ADDR=f"198.51.100.{n}"), "viewer@alpha.example.org") for n in range(10)]
    assert len(mail.outbox) == 3  # from ten different clients: the address itself is throttled
    assert {(a.status_code, a["Location"]) for a in answers} == {(302, "/accounts/password-reset/sent/")}
    unknown = reset(Client(REMOTE_ADDR="198.51.100.200"), "nobody@alpha.example.org")
    assert (unknown.status_code, unknown["Location"]) == (302, "/accounts/password-reset/sent/")
    done = Client().get("/accounts/password-reset/sent/")
    assert "If an account uses that address" in done.content.decode()


@behind_one_proxy
def test_password_reset_is_throttled_per_client_address_behind_the_proxy(world: World) -> None:
    emails = [f"member{n}@alpha.example.org" for n in range(12)]
    for email in emails:
        UserFactory(email=email, username=email)
    for email in emails:
        reset(via_proxy("203.0.113.9", spoofed=email.split("@")[0].replace("member", "192.0.2.")), email)
    assert len(mail.outbox) == 10
    # Someone else behind the same proxy is not held back by that client.
    reset(via_proxy("198.51.100.7"), "viewer@alpha.example.org")
    assert len(mail.outbox) == 11


def test_password_reset_works_again_after_the_cool_off(world: World, monkeypatch: Any) -> None:
    for _ in range(4):
        reset(Client(), "viewer@alpha.example.org")
    assert len(mail.outbox) == 3
    later = time.time() + settings.PASSWORD_RESET_COOLOFF_MINUTES * 60 + 1
    monkeypatch.setattr(locmem.time, "time", lambda: later)
    reset(Client(), "viewer@alpha.example.org")
    assert len(mail.outbox) == 4
