"""Custom user models: UUID and string primary keys."""

import uuid
from typing import ClassVar

from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.db import models


class UUIDUser(AbstractBaseUser):
    """A custom user model with a UUID primary key."""

    id: 'models.UUIDField[uuid.UUID | str, uuid.UUID]' = models.UUIDField(
        primary_key=True, default=uuid.uuid4
    )
    email: 'models.EmailField[str, str]' = models.EmailField(unique=True)
    is_active: 'models.BooleanField[bool, bool]' = models.BooleanField(
        default=True
    )

    USERNAME_FIELD = 'email'
    objects: ClassVar[BaseUserManager['UUIDUser']] = BaseUserManager()


class CodeUser(AbstractBaseUser):
    """A custom user model with a string primary key."""

    code: 'models.CharField[str, str]' = models.CharField(
        primary_key=True, max_length=32
    )
    is_active: 'models.BooleanField[bool, bool]' = models.BooleanField(
        default=True
    )

    USERNAME_FIELD = 'code'
    objects: ClassVar[BaseUserManager['CodeUser']] = BaseUserManager()
