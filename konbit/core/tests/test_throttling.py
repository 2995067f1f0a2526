"""Sign-in and password-reset throttles behind the documented proxy (PROXY_COUNT=1: nginx appends the
client's address to X-Forwarded-For and Konbit sees the proxy's address as REMOTE_ADDR)."""

from __future__ import annotations

from django.test import Client, override_settings

from conftest import World

PROXY = "10.0.0.2"
RIGHT = "correct horse battery staple"
behind_one_proxy = override_settings(PROXY_COUNT=1, AXES_IPWARE_PROXY_COUNT=1)


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
