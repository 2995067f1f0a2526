from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.template import Context, Template
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext

from conftest import World, client_for
from konbit.core.access import Access
from konbit.core.models import AuditEvent, Membership
from konbit.indicators import services
from konbit.indicators.models import (
    BenchmarkStatus,
    Dimension,
    Indicator,
    Measurement,
    PartnerBenchmark,
    Status,
    Target,
)
from konbit.results.models import ChainBox, Intervention

URL = "/p/alpha/change/indicators/"


def access_of(world: World, user: Any) -> Access:
    membership = Membership.objects.select_related("program", "organization").get(
        program=world.program_a, user=user
    )
    return Access(program=world.program_a, membership=membership)


def make_indicator(world: World, **data: Any) -> Indicator:
    data = {"name": "Farmers buying certified seed", "unit": "farmers", "type": "outcome", **data}
    return services.indicator_create(access=access_of(world, world.mel), by=world.mel, data=data)


def measure(
    world: World, indicator: Indicator, label: str, end: datetime.date, value: int, **data: Any
) -> None:
    services.measurement_record(
        indicator=indicator,
        by=world.mel,
        data={"period_label": label, "period_end": end, "value": Decimal(value), **data},
    )


@pytest.fixture
def media(settings: Any, tmp_path: Any) -> Any:
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def test_mel_officer_creates_an_indicator_sets_a_target_and_sees_progress(world: World) -> None:
    client = client_for(world.mel)
    response = client.post(
        f"{URL}new/",
        {
            "name": "Agro-dealers stocking certified seed",
            "code": "S1",
            "type": "systemic",
            "unit": "agro-dealers",
            "target_mode": "cumulative",
            "aggregation": "sum",
            "direction": "higher",
            "baseline_value": "10",
            "baseline_date": "2024-12-31",
        },
    )
    assert response.status_code == 302
    indicator = Indicator.objects.get(code="S1")
    assert response["Location"] == f"{URL}{indicator.pk}/"
    # A target typed as a period label only: its dates are filled in.
    response = client.post(
        f"{URL}{indicator.pk}/targets/", {"kind": "target", "period_label": "2025", "value": "110"}
    )
    assert response.status_code == 302
    target = Target.objects.get(indicator=indicator)
    assert (target.period_start, target.period_end) == (
        datetime.date(2025, 1, 1),
        datetime.date(2025, 12, 31),
    )
    # Quick entry of two quarters.
    for label, value in [("2025-Q1", "20"), ("2025-Q2", "30")]:
        assert (
            client.post(
                f"{URL}{indicator.pk}/measurements/", {"period_label": label, "value": value}
            ).status_code
            == 302
        )
    page = client.get(f"{URL}{indicator.pk}/").content.decode()
    # Achieved 10 + 20 + 30 = 60; progress (60 − 10) / (110 − 10) = 50 %.
    assert 'id="achieved-figure">60' in page
    assert 'id="progress-figure">50%' in page
    assert page.count('class="bar"') == 2
    assert "<title" in page and "<desc" in page
    indicator.refresh_from_db()
    assert indicator.progress == pytest.approx(50.0) and indicator.achieved == 60


def test_entering_the_same_period_twice_updates_the_value_instead_of_adding_one(world: World) -> None:
    indicator = make_indicator(world)
    client = client_for(world.facilitator)
    client.post(f"{URL}{indicator.pk}/measurements/", {"period_label": "2025-Q1", "value": "20"})
    client.post(f"{URL}{indicator.pk}/measurements/", {"period_label": "2025-Q1", "value": "25"})
    assert list(Measurement.objects.filter(indicator=indicator).values_list("value", flat=True)) == [
        Decimal(25)
    ]


def test_a_measurement_needs_a_period_end_or_a_known_period(world: World) -> None:
    indicator = make_indicator(world)
    response = client_for(world.mel).post(
        f"{URL}{indicator.pk}/measurements/", {"period_label": "rainy season", "value": "5"}
    )
    assert response.status_code == 400
    assert "Give the period" in response.content.decode()
    assert not Measurement.objects.exists()


def test_evidence_is_stored_and_served_only_through_the_permission_check(world: World, media: Any) -> None:
    indicator = make_indicator(world)
    upload = SimpleUploadedFile("sales-book.pdf", b"%PDF-1.4 evidence", content_type="application/pdf")
    response = client_for(world.mel).post(
        f"{URL}{indicator.pk}/measurements/",
        {
            "period_label": "2025-Q1",
            "value": "12",
            "evidence": upload,
            "evidence_link": "drive.example.org/x",
        },
    )
    assert response.status_code == 302
    measurement = Measurement.objects.get()
    assert measurement.evidence.name.startswith(f"evidence/{world.program_a.pk}/")
    assert measurement.evidence_link == "https://drive.example.org/x"
    download = client_for(world.viewer).get(f"{URL}measurements/{measurement.pk}/evidence/")
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == b"%PDF-1.4 evidence"
    assert "sales-book.pdf" in download["Content-Disposition"]
    assert client_for(world.outsider).get(f"{URL}measurements/{measurement.pk}/evidence/").status_code == 404
    assert (
        client_for(world.partner_user).get(f"{URL}measurements/{measurement.pk}/evidence/").status_code == 404
    )


def test_an_evidence_file_over_the_limit_is_refused_with_a_clear_message(
    world: World, media: Any, settings: Any
) -> None:
    settings.INDICATOR_EVIDENCE_MAX_BYTES = 1024 * 1024
    indicator = make_indicator(world)
    big = SimpleUploadedFile("photo.jpg", b"x" * (1024 * 1024 + 1), content_type="image/jpeg")
    response = client_for(world.mel).post(
        f"{URL}{indicator.pk}/measurements/", {"period_label": "2025-Q1", "value": "12", "evidence": big}
    )
    assert response.status_code == 400
    assert "The evidence file is larger than 1 MB" in response.content.decode()
    assert not Measurement.objects.exists()
    script = SimpleUploadedFile("run.exe", b"MZ", content_type="application/octet-stream")
    response = client_for(world.mel).post(
        f"{URL}{indicator.pk}/measurements/", {"period_label": "2025-Q1", "value": "12", "evidence": script}
    )
    assert response.status_code == 400 and not Measurement.objects.exists()


def test_list_filters_by_type_intervention_and_status_and_sorts_by_progress(world: World) -> None:
    intervention = Intervention.objects.create(
        program=world.program_a, title="Seed distribution", function="core", lever="lead_firm"
    )
    box = ChainBox.objects.create(
        program=world.program_a, intervention=intervention, level="output", text="Dealers trained"
    )
    ahead = make_indicator(
        world, name="Dealers trained", type="output", intervention=intervention, chain_box=box
    )
    behind = make_indicator(world, name="Farmers reached", type="outcome")
    for indicator, value in [(ahead, 90), (behind, 20)]:
        services.target_set(
            indicator=indicator,
            by=world.mel,
            data={"period_end": datetime.date(2025, 3, 31), "value": Decimal(100)},
        )
        measure(world, indicator, "2025-Q1", datetime.date(2025, 3, 31), value)
    client = client_for(world.viewer)
    page = client.get(URL, {"type": "output"}).content.decode()
    assert "Dealers trained" in page and "Farmers reached" not in page
    page = client.get(URL, {"intervention": str(intervention.pk)}).content.decode()
    assert "Dealers trained" in page and "Farmers reached" not in page
    page = client.get(URL, {"status": Status.OFF_TRACK}).content.decode()
    assert "Farmers reached" in page and "Dealers trained" not in page
    assert "Off track" in page
    page = client.get(URL, {"sort": "-progress"}).content.decode()
    assert page.index("Dealers trained") < page.index("Farmers reached")
    fragment = client.get(URL, {"q": "farm"}, HTTP_HX_REQUEST="true").content.decode()
    assert "Farmers reached" in fragment and "<html" not in fragment


def test_indicator_list_query_count_does_not_grow_with_rows(world: World) -> None:
    client = client_for(world.mel)
    intervention = Intervention.objects.create(
        program=world.program_a, title="I", function="core", lever="lead_firm"
    )
    make_indicator(world, name="First", intervention=intervention)
    client.get(URL)
    with CaptureQueriesContext(connection) as few:
        assert client.get(URL).status_code == 200
    for n in range(12):
        make_indicator(world, name=f"Indicator {n}", intervention=intervention)
    with CaptureQueriesContext(connection) as many:
        assert client.get(URL).status_code == 200
    assert len(many) == len(few), [q["sql"][:120] for q in many.captured_queries]


def test_empty_list_says_what_to_do_next(world: World) -> None:
    page = client_for(world.mel).get(URL).content.decode()
    assert "No indicators yet." in page and "Add the first indicator" in page


def test_stale_edit_shows_the_conflict_and_keeps_the_users_input(world: World) -> None:
    indicator = make_indicator(world)
    client = client_for(world.mel)
    stale = indicator.version
    services.indicator_update(
        access=access_of(world, world.owner), indicator=indicator, by=world.owner, data={"unit": "households"}
    )
    response = client.post(
        f"{URL}{indicator.pk}/edit/",
        {
            "version": stale,
            "name": "My better name",
            "type": "outcome",
            "unit": "farmers",
            "target_mode": "cumulative",
            "aggregation": "sum",
            "direction": "higher",
        },
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert "Someone else saved this record" in page
    assert 'value="My better name"' in page
    indicator.refresh_from_db()
    assert indicator.name == "Farmers buying certified seed" and indicator.unit == "households"


def test_delete_moves_the_indicator_to_the_trash(world: World) -> None:
    indicator = make_indicator(world)
    response = client_for(world.mel).post(f"{URL}{indicator.pk}/delete/")
    assert response.status_code == 302
    assert not Indicator.objects.filter(pk=indicator.pk).exists()
    assert Indicator.all_objects.get(pk=indicator.pk).deleted_at is not None
    trash = client_for(world.owner).get("/p/alpha/trash/").content.decode()
    assert "Farmers buying certified seed" in trash


def test_viewer_reads_but_cannot_enter_measurements(world: World) -> None:
    indicator = make_indicator(world)
    client = client_for(world.viewer)
    page = client.get(f"{URL}{indicator.pk}/").content.decode()
    assert "Farmers buying certified seed" in page and 'id="quick-entry"' not in page
    response = client.post(f"{URL}{indicator.pk}/measurements/", {"period_label": "2025-Q1", "value": "3"})
    assert response.status_code == 404 and not Measurement.objects.exists()


def test_dimensions_with_categories_split_measurements(world: World) -> None:
    client = client_for(world.mel)
    response = client.post(f"{URL}dimensions/", {"name": "Sex", "categories": "Women, Men"})
    assert response.status_code == 302
    page = client.get(f"{URL}dimensions/").content.decode()
    assert "Women" in page and "Men" in page
    dimension = Dimension.objects.get(program=world.program_a, name="Sex")
    indicator = make_indicator(world)
    indicator.dimensions.add(dimension)
    women = dimension.categories.get(name="Women")
    client.post(
        f"{URL}{indicator.pk}/measurements/", {"period_label": "2025-Q1", "value": "30", "category": women.pk}
    )
    client.post(
        f"{URL}{indicator.pk}/measurements/",
        {"period_label": "2025-Q1", "value": "20", "category": dimension.categories.get(name="Men").pk},
    )
    page = client.get(f"{URL}{indicator.pk}/").content.decode()
    # No total entered: the total is the sum of the categories (50), marked as derived.
    assert 'id="achieved-figure">50' in page
    assert "Sex: Women" in page and "60%" in page  # women's share: 30 / 50


def test_the_standalone_entry_form_refuses_a_category_the_indicator_is_not_split_by(world: World) -> None:
    dimension = services.dimension_create(
        access=access_of(world, world.mel), by=world.mel, name="Region", categories=["Nord", "Sud"]
    )
    indicator = make_indicator(world)
    response = client_for(world.mel).post(
        f"{URL}measurements/new/",
        {
            "indicator": indicator.pk,
            "period_label": "2025-Q1",
            "value": "5",
            "category": dimension.categories.first().pk,
        },
    )
    assert response.status_code == 200
    assert "not disaggregated by that category" in response.content.decode()
    assert not Measurement.objects.exists()


# --- partner benchmarks ---------------------------------------------------------------------------


def make_benchmarks(world: World) -> tuple[PartnerBenchmark, PartnerBenchmark]:
    access = access_of(world, world.mel)
    own = services.benchmark_create(
        access=access,
        by=world.mel,
        data={
            "organization": world.partner_org,
            "description": "Sells 500 bags of certified seed",
            "incentive": "A stand at the seed fair",
            "due_on": datetime.date(2026, 6, 30),
        },
    )
    other = services.benchmark_create(
        access=access,
        by=world.mel,
        data={
            "organization": world.other_org_a,
            "description": "Processes 20 tonnes of mango",
            "incentive": "A co-funded dryer",
            "due_on": datetime.date(2026, 3, 31),
        },
    )
    return own, other


def test_partner_user_sees_only_its_own_benchmarks_read_only(world: World) -> None:
    own, other = make_benchmarks(world)
    client = client_for(world.partner_user)
    page = client.get(f"{URL}benchmarks/").content.decode()
    assert "Sells 500 bags of certified seed" in page and "A stand at the seed fair" in page
    assert "Processes 20 tonnes" not in page and "Alpha Secret Processor" not in page
    assert "Update the status" not in page and f"benchmarks/{own.pk}/status/" not in page
    assert client.get(f"{URL}benchmarks/", {"organization": world.other_org_a.pk}).status_code == 404
    assert client.post(f"{URL}benchmarks/{own.pk}/status/", {"status": "met"}).status_code == 404
    own.refresh_from_db()
    assert own.status == BenchmarkStatus.PENDING


def test_recording_a_benchmark_status_keeps_who_and_when(world: World) -> None:
    own, _other = make_benchmarks(world)
    client = client_for(world.facilitator)
    response = client.post(
        f"{URL}benchmarks/{own.pk}/status/",
        {"status": "met", "note": "Checked the sales book", "next": "https://evil.example.org/"},
    )
    assert response.status_code == 302 and response["Location"].startswith("/p/alpha/")
    own.refresh_from_db()
    assert own.status == BenchmarkStatus.MET and own.status_recorded_by == world.facilitator
    assert own.status_recorded_at is not None
    page = client.get(f"{URL}benchmarks/", {"organization": world.partner_org.pk}).content.decode()
    assert "Checked the sales book" in page and "Processes 20 tonnes" not in page
    assert "Update the status" in page
    assert AuditEvent.objects.filter(object_id=str(own.pk), changes__has_key="status").exists()


def test_benchmark_form_offers_only_organisations_with_a_partnership(world: World) -> None:
    from konbit.partners import services as partner_services

    partner_services.partnership_create(
        access=access_of(world, world.facilitator),
        organization=world.partner_org,
        by=world.facilitator,
        data={},
    )
    page = client_for(world.mel).get(f"{URL}benchmarks/new/").content.decode()
    assert "Alpha Partner Cooperative" in page and "Alpha Secret Processor" not in page
    response = client_for(world.mel).post(
        f"{URL}benchmarks/new/",
        {
            "organization": world.partner_org.pk,
            "description": "Opens three outlets",
            "incentive": "Signage",
            "due_on": "2026-09-30",
        },
    )
    assert response.status_code == 302
    assert PartnerBenchmark.objects.get(description="Opens three outlets").organization == world.partner_org


def test_the_partner_page_partial_shows_this_partners_benchmarks(world: World) -> None:
    own, _other = make_benchmarks(world)
    request = RequestFactory().get("/")
    template = Template('{% include "indicators/_partner_benchmarks.html" %}')
    for user in (world.partner_user, world.facilitator):
        html = template.render(
            Context(
                {
                    "access": access_of(world, user),
                    "organization": world.partner_org,
                    "program": world.program_a,
                    "perms_for": {},
                    "request": request,
                }
            )
        )
        assert "Sells 500 bags of certified seed" in html and "Processes 20 tonnes" not in html
    # A partner user looking at another organisation (it cannot open that page, but still): nothing.
    html = template.render(
        Context(
            {
                "access": access_of(world, world.partner_user),
                "organization": world.other_org_a,
                "program": world.program_a,
            }
        )
    )
    assert "Processes 20 tonnes" not in html


def test_a_dimension_for_one_indicator_is_offered_on_that_indicator_only(world: World) -> None:
    varieties_for = make_indicator(world, name="Improved rice seed sold")
    other = make_indicator(world, name="Loans to smallholders")
    client = client_for(world.mel)
    response = client.post(
        f"{URL}dimensions/",
        {"name": "Rice variety", "categories": "TCS-10\nProsequisa", "indicator": varieties_for.pk},
    )
    assert response.status_code == 302
    assert "Rice variety" in client.get(f"{URL}{varieties_for.pk}/edit/").content.decode()
    assert "Rice variety" not in client.get(f"{URL}{other.pk}/edit/").content.decode()
    assert list(varieties_for.dimensions.values_list("name", flat=True)) == ["Rice variety"]


def test_restoring_a_measurement_from_the_trash_is_caught_up_when_the_indicator_is_opened(
    world: World,
) -> None:
    from konbit.core.services import tenant_record_restore

    indicator = make_indicator(world)
    measure(world, indicator, "2025-Q1", datetime.date(2025, 3, 31), 40)
    measurement = Measurement.objects.get()
    services.measurement_delete(measurement=measurement, by=world.mel)
    indicator.refresh_from_db()
    assert indicator.achieved is None
    tenant_record_restore(instance=Measurement.all_objects.get(pk=measurement.pk), by=world.owner)
    client_for(world.viewer).get(f"{URL}{indicator.pk}/")
    indicator.refresh_from_db()
    assert indicator.achieved == 40
    assert "40" in client_for(world.viewer).get(URL).content.decode()
