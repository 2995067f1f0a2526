from __future__ import annotations

from pathlib import Path

from babel.messages.pofile import read_po
from django.test import Client
from django.utils import translation

PO = Path(__file__).resolve().parents[2] / "locale" / "fr" / "LC_MESSAGES" / "django.po"


def test_every_french_message_is_translated_and_none_is_fuzzy() -> None:
    with PO.open("rb") as handle:
        catalog = read_po(handle, locale="fr")
    missing = [
        msg.id
        for msg in catalog
        if msg.id and (msg.fuzzy or not (msg.string if isinstance(msg.string, str) else all(msg.string)))
    ]
    assert missing == []


def test_sign_in_page_speaks_french_when_asked(db: object) -> None:
    response = Client().get("/accounts/login/", headers={"Accept-Language": "fr"})
    body = response.content.decode()
    assert "Se connecter à Konbit" in body
    with translation.override("fr"):
        assert translation.gettext("Engage partners") == "Mobiliser les partenaires"


def test_numbers_and_months_are_written_the_readers_way() -> None:
    import datetime

    from konbit.core import l10n

    with translation.override("en"):
        assert l10n.number(14087.65) == "14,087.65"
        assert l10n.number(25000.0) == "25,000"
        assert l10n.month(datetime.date(2024, 10, 1)) == "Oct. 2024"
    with translation.override("fr"):
        assert l10n.number(14087.65) == "14\xa0087,65"
        assert l10n.number(0.028, decimals=3) == "0,028"
        assert l10n.month(datetime.date(2024, 7, 1)) == "juil. 2024"
