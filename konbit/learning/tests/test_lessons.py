"""Lesson pages: list with filters and search, write/edit (with conflicts), trash, export, and the
lessons surfaced on a partner's page."""

from __future__ import annotations

import csv
import io
from typing import Any

from django.db import connection
from django.test.utils import CaptureQueriesContext

from conftest import World, client_for
from konbit.core.services import tenant_record_delete
from konbit.learning.models import Lesson
from konbit.learning.tests.helpers import make_lesson, staff_access
from konbit.partners import services as partner_services

LIST = "/p/alpha/learning/lessons/"


def test_writing_a_lesson_shows_it_with_tags_phases_and_partners(world: World) -> None:
    client = client_for(world.facilitator)
    response = client.post(
        "/p/alpha/learning/lessons/new/",
        {
            "title": "Co-hosted round tables",
            "learned_on": "2026-05-04",
            "status": "published",
            "context": "Attendance was falling.",
            "action": "Partners co-hosted.",
            "lesson": "Partners come for each other.",
            "tags": "Round tables,  partner engagement, round tables",
            "phases": ["start_up", "visioning"],
            "organizations": [world.partner_org.pk],
        },
    )
    lesson = Lesson.objects.get(title="Co-hosted round tables")
    assert response.status_code == 302 and response["Location"].endswith(f"/lessons/{lesson.pk}/")
    assert lesson.tags == "Round tables, partner engagement"
    assert lesson.phase_list == ["visioning", "start_up"] or lesson.phase_list == ["start_up", "visioning"]
    assert lesson.published_on is not None and lesson.author == world.facilitator
    page = client.get(response["Location"]).content.decode()
    assert "Partners come for each other." in page
    assert "Alpha Partner Cooperative" in page and "Start-up and first interventions" in page


def test_filters_by_tag_phase_partner_and_search(world: World) -> None:
    make_lesson(world, title="Tagged one", tags="co-investment", phases=["start_up"])
    make_lesson(world, title="Linked one", organizations=[world.other_org_a], action="cassava drying")
    make_lesson(world, title="Plain one")
    client = client_for(world.viewer)

    def shown(query: str) -> set[str]:
        page = client.get(LIST + query).content.decode()
        return {t for t in ("Tagged one", "Linked one", "Plain one") if t in page}

    assert shown("") == {"Tagged one", "Linked one", "Plain one"}
    assert shown("?tag=Co-Investment") == {"Tagged one"}
    assert shown("?phase=start_up") == {"Tagged one"}
    assert shown(f"?organization={world.other_org_a.pk}") == {"Linked one"}
    assert shown("?q=drying") == {"Linked one"}
    assert "No lesson matches" in client.get(LIST + "?q=zzzzqq").content.decode()


def test_empty_list_says_what_to_do(world: World) -> None:
    page = client_for(world.facilitator).get(LIST).content.decode()
    assert "Write the first lesson." in page


def test_list_queries_do_not_grow_with_rows(world: World, django_assert_num_queries: Any) -> None:
    client = client_for(world.facilitator)
    make_lesson(world, title="First", organizations=[world.partner_org], tags="a")
    with CaptureQueriesContext(connection) as few:
        assert client.get(LIST).status_code == 200
    for i in range(20):
        make_lesson(
            world, title=f"Lesson {i}", organizations=[world.partner_org, world.other_org_a], tags="b"
        )
    with django_assert_num_queries(len(few)):
        assert client.get(LIST).status_code == 200


def test_a_stale_edit_shows_the_conflict_and_keeps_the_input(world: World) -> None:
    lesson = make_lesson(world, title="Original")
    client = client_for(world.facilitator)
    form = client.get(f"/p/alpha/learning/lessons/{lesson.pk}/edit/").context["form"]
    version = form["version"].value()
    client_for(world.mel).post(
        f"/p/alpha/learning/lessons/{lesson.pk}/edit/",
        {"title": "Changed by MEL", "learned_on": "2026-03-01", "status": "draft", "version": version},
    )
    response = client.post(
        f"/p/alpha/learning/lessons/{lesson.pk}/edit/",
        {"title": "My own title", "learned_on": "2026-03-01", "status": "draft", "version": version},
    )
    page = response.content.decode()
    assert response.status_code == 200 and "Someone else saved this record" in page
    assert 'value="My own title"' in page
    lesson.refresh_from_db()
    assert lesson.title == "Changed by MEL"


def test_delete_moves_the_lesson_to_the_trash(world: World) -> None:
    lesson = make_lesson(world, title="Gone soon")
    response = client_for(world.facilitator).post(f"/p/alpha/learning/lessons/{lesson.pk}/delete/")
    assert response.status_code == 302
    assert not Lesson.objects.filter(pk=lesson.pk).exists()
    assert "Gone soon" in client_for(world.owner).get("/p/alpha/trash/").content.decode()


def test_export_neutralises_formulas(world: World) -> None:
    make_lesson(world, title='=HYPERLINK("http://x")', tags="exit")
    make_lesson(world, title="Other", tags="rules")
    response = client_for(world.viewer).get("/p/alpha/learning/lessons/export.csv?tag=exit")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0][0] == "title" and len(rows) == 2
    assert rows[1][0] == '\'=HYPERLINK("http://x")'
    xlsx = client_for(world.viewer).get("/p/alpha/learning/lessons/export.xlsx")
    assert xlsx["Content-Type"].startswith("application/vnd.openxmlformats")


def test_partner_with_an_early_warning_shows_partner_engagement_lessons(world: World) -> None:
    access = staff_access(world)
    partnership = partner_services.partnership_create(
        access=access, organization=world.other_org_a, by=world.facilitator, data={"segment": "active"}
    )
    make_lesson(world, title="Visit before you write", tags="Partner engagement", status="published")
    make_lesson(world, title="Draft on engagement", tags="partner engagement", status="draft")
    make_lesson(world, title="About seeds", tags="rules", status="published")
    url = f"/p/alpha/partners/{partnership.pk}/"
    client = client_for(world.facilitator)
    client.get(url)  # the first view of the day computes the engagement warnings
    type(partnership).objects.filter(pk=partnership.pk).update(warning_codes="")
    assert "Visit before you write" not in client.get(url).content.decode()

    type(partnership).objects.filter(pk=partnership.pk).update(warning_codes=",no_contact,")
    page = client.get(url).content.decode()
    assert "Lessons that apply here" in page and "Visit before you write" in page
    assert "Draft on engagement" not in page and "About seeds" not in page


def test_lessons_linked_to_the_partner_show_on_its_page_first(world: World) -> None:
    access = staff_access(world)
    partnership = partner_services.partnership_create(
        access=access, organization=world.other_org_a, by=world.facilitator, data={"segment": "active"}
    )
    type(partnership).objects.filter(pk=partnership.pk).update(warning_codes=",no_contact,")
    make_lesson(world, title="Generic engagement", tags="partner engagement", status="published")
    make_lesson(
        world,
        title="About this very partner",
        tags="partner engagement",
        status="published",
        organizations=[world.other_org_a],
    )
    page = client_for(world.facilitator).get(f"/p/alpha/partners/{partnership.pk}/").content.decode()
    assert page.index("About this very partner") < page.index("Generic engagement")


def test_a_trashed_lesson_is_not_surfaced(world: World) -> None:
    lesson = make_lesson(world, title="Trashed", organizations=[world.other_org_a], status="published")
    tenant_record_delete(instance=lesson, by=world.owner)
    access = staff_access(world)
    from konbit.learning.selectors import lessons_related

    assert lessons_related(access, organization=world.other_org_a) == []


def test_related_lessons_for_an_intervention_and_a_phase(world: World) -> None:
    from django.template import Context, Template

    from konbit.results.models import Intervention

    intervention = Intervention.objects.create(
        program=world.program_a, title="Seed rules", function="rules", lever="rules"
    )
    lesson = make_lesson(world, title="Champions outside government", status="published")
    lesson.interventions.add(intervention)
    make_lesson(world, title="Exit early", status="published", phases=["scale_up"])
    make_lesson(world, title="Unrelated", status="published", phases=["analysis"])
    access = staff_access(world)
    template = Template('{% include "learning/_related_lessons.html" with intervention=intervention %}')
    html = template.render(
        Context({"access": access, "program": world.program_a, "intervention": intervention})
    )
    assert "Champions outside government" in html and "Exit early" not in html
    html = Template('{% include "learning/_related_lessons.html" with phase="scale_up" %}').render(
        Context({"access": access, "program": world.program_a})
    )
    assert "Exit early" in html and "Unrelated" not in html
    partner_access = staff_access(world).__class__(
        program=world.program_a, membership=world.program_a.memberships.get(user=world.partner_user)
    )
    html = template.render(
        Context({"access": partner_access, "program": world.program_a, "intervention": intervention})
    )
    assert "Champions outside government" not in html
