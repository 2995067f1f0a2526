"""The "new partner" page offers every organisation of the programme that is not a live partner."""

from __future__ import annotations

from conftest import World, client_for
from konbit.core.access import Access
from konbit.core.models import Membership
from konbit.core.services import tenant_record_delete
from konbit.partners import services
from konbit.partners.models import Partnership
from tests.factories import OrganizationFactory


def test_new_partner_offers_organisations_that_never_were_partners_and_creates_one(world: World) -> None:
    owner = Access(program=world.program_a, membership=Membership.objects.get(user=world.owner))
    services.partnership_create(access=owner, organization=world.partner_org, by=world.owner, data={})
    ended = OrganizationFactory(program=world.program_a, name="Alpha Former Partner")
    tenant_record_delete(
        instance=services.partnership_create(access=owner, organization=ended, by=world.owner, data={}),
        by=world.owner,
    )
    facilitator = client_for(world.facilitator)
    page = facilitator.get("/p/alpha/partners/new/").content.decode()
    assert "Alpha Secret Processor" in page  # never a partner
    assert "Alpha Former Partner" in page  # its partnership is in the trash
    assert "Alpha Partner Cooperative" not in page  # already a partner
    assert "Bravo Pump Suppliers" not in page  # another programme's
    response = facilitator.post(
        "/p/alpha/partners/new/", {"organization": world.other_org_a.pk, "segment": "prospect"}
    )
    assert response.status_code == 302
    assert Partnership.objects.filter(program=world.program_a, organization=world.other_org_a).exists()
