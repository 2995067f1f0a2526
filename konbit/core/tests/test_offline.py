"""The installable app's pieces served from the site root (decision 9): the service worker, the
manifest, the outbox shell, and sign-out clearing what the browser kept."""

from __future__ import annotations

from typing import Any

from django.test import Client

from conftest import World, client_for


def test_the_service_worker_is_served_from_the_root_and_always_revalidated(client: Any, db: Any) -> None:
    response = client.get("/sw.js")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/javascript")
    assert response["Service-Worker-Allowed"] == "/"
    assert response["Cache-Control"] == "no-cache"
    assert b"const KONBIT = " in response.content and b"/static/konbit/offline.js" in response.content


def test_the_manifest_makes_konbit_installable(client: Any, db: Any) -> None:
    manifest = client.get("/manifest.webmanifest").json()
    assert manifest["start_url"] == "/" and manifest["scope"] == "/" and manifest["display"] == "standalone"


def test_sign_out_clears_what_the_browser_kept(world: World) -> None:
    response = client_for(world.facilitator).post("/accounts/logout/")
    assert response.status_code == 302
    assert response["Clear-Site-Data"] == '"cache", "storage"'


def test_the_outbox_page_is_for_signed_in_people_and_holds_no_programme_data(world: World) -> None:
    assert Client().get("/outbox/").status_code == 302
    page = client_for(world.facilitator).get("/outbox/").content.decode()
    assert 'id="outbox-list"' in page
    assert "Alpha Secret Processor" not in page


def test_pages_travel_gzipped_to_a_browser_that_accepts_it(world: World) -> None:
    import gzip

    response = client_for(world.owner).get("/p/alpha/", headers={"Accept-Encoding": "gzip, br"})
    assert response["Content-Encoding"] == "gzip"
    assert "Alpha Market Systems" in gzip.decompress(response.content).decode()


def test_the_api_answers_plain_json_even_to_a_browser_that_accepts_gzip(world: World) -> None:
    from konbit.core.services import api_token_create

    _token, raw = api_token_create(user=world.owner, name="probe")
    response = Client().get(
        "/api/v1/programs", headers={"Authorization": f"Bearer {raw}", "Accept-Encoding": "gzip"}
    )
    assert response.status_code == 200 and not response.has_header("Content-Encoding")
