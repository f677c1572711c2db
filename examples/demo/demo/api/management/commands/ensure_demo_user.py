"""``manage.py ensure_demo_user``: the user of the demo's curl session."""

from typing import Any, Final

from django.contrib.auth.models import User
from django.core.management.base import BaseCommand
from typing_extensions import override

USERNAME: Final = 'test_user'
PASSWORD: Final = 'password'
EMAIL: Final = 'test_user@example.com'


class Command(BaseCommand):
    """Create the demo user, or reset it to its known state."""

    help = (
        f'Create or reset the active user {USERNAME!r} '
        f'with password {PASSWORD!r} and e-mail {EMAIL!r}.'
    )

    @override
    def handle(self, *args: Any, **options: Any) -> None:
        user, created = User.objects.get_or_create(username=USERNAME)
        if created:
            self._reset(user)
            self.stdout.write(
                self.style.SUCCESS(f'Created user {USERNAME!r}.'),
            )
            return
        changed = self._changed_fields(user)
        if not changed:
            self.stdout.write(f'User {USERNAME!r} is up to date.')
            return
        self._reset(user)
        self.stdout.write(
            self.style.SUCCESS(
                f'Reset user {USERNAME!r}: {", ".join(changed)}.',
            ),
        )

    def _changed_fields(self, user: User) -> list[str]:
        """Which fields differ from the demo's known state."""
        return [
            name
            for name, is_ok in (
                ('password', user.check_password(PASSWORD)),
                ('email', user.email == EMAIL),
                ('is_active', user.is_active),
            )
            if not is_ok
        ]

    def _reset(self, user: User) -> None:
        user.set_password(PASSWORD)
        user.email = EMAIL
        user.is_active = True
        user.save()
