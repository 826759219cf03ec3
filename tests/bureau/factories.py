from __future__ import annotations

from typing import Any

import factory
from django.contrib.auth.models import Group

from bureau import services
from bureau.choices import UnitKind
from bureau.models import Person, Post, Unit, User
from bureau.roles import Role

DEFAULT_PASSWORD = "correct-horse-battery-9"


class UnitFactory(factory.django.DjangoModelFactory):
    """Units go through the service, which maintains the tree path."""

    class Meta:
        model = Unit

    code = factory.Sequence(lambda n: f"unit-{n}")
    name = factory.Sequence(lambda n: f"测试单位{n}")
    kind = UnitKind.DEPARTMENT
    parent = None

    @classmethod
    def _create(cls, model_class: type[Unit], *args: Any, **kwargs: Any) -> Unit:
        existing = model_class.objects.filter(code=kwargs["code"]).first()
        if existing is not None:
            return existing
        return services.unit_create(actor=None, **kwargs)


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    full_name = factory.Sequence(lambda n: f"用户{n}")
    unit = factory.SubFactory(UnitFactory)
    password = factory.PostGenerationMethodCall("set_password", DEFAULT_PASSWORD)

    @factory.post_generation
    def roles(self, create: bool, extracted: list[Role] | None, **kwargs: Any) -> None:
        if create and extracted:
            self.groups.add(*(Group.objects.get(name=role) for role in extracted))
        if create:
            self.save()


class PersonFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Person

    name = factory.Sequence(lambda n: f"人员{n}")
    home_unit = factory.SubFactory(UnitFactory)


class PostFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Post

    unit = factory.SubFactory(UnitFactory)
    title = "处长"
    max_holders = 1
