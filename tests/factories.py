from __future__ import annotations

import factory
from django.contrib.auth import get_user_model

from konbit.core.models import Membership, Program
from konbit.core.roles import Role
from konbit.partners.models import Organization, OrganizationType
from konbit.partners.names import normalize_name


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)

    email = factory.Sequence(lambda n: f"user{n}@example.org")
    username = factory.SelfAttribute("email")
    first_name = factory.Faker("first_name")
    last_name = factory.Faker("last_name")
    password = factory.django.Password("correct horse battery staple")


class ProgramFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Program

    name = factory.Sequence(lambda n: f"Programme {n}")
    slug = factory.Sequence(lambda n: f"programme-{n}")
    country = "Haiti"
    sector = "Agriculture"


class OrganizationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organization

    program = factory.SubFactory(ProgramFactory)
    name = factory.Sequence(lambda n: f"Organisation {n}")
    normalized_name = factory.LazyAttribute(lambda o: normalize_name(o.name))
    type = OrganizationType.SERVICE_PROVIDER
    region = "Nord"
    town = "Limbé"


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    program = factory.SubFactory(ProgramFactory)
    user = factory.SubFactory(UserFactory)
    role = Role.FACILITATOR
