"""``manage.py flush_expired_jwtokens``: drop rows of expired tokens."""

from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from typing_extensions import override

from dmr_jwt.blocklist.store import get_store


class Command(BaseCommand):
    """Delete blocklist rows whose tokens have expired, in batches."""

    help = (
        'Delete the rows of expired JWTs (blocklisted tokens, used refresh '
        'tokens, revoked families), in batches of --batch-size rows.'
    )

    @override
    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument(
            '--batch-size',
            type=int,
            default=1000,
            help='Rows deleted per query (default: 1000).',
        )
        parser.add_argument(
            '--dry-run',
            action='store_true',
            help='Only count the rows that would be deleted.',
        )

    @override
    def handle(self, *args: Any, **options: Any) -> None:
        batch_size: int = options['batch_size']
        if batch_size < 1:
            raise CommandError('--batch-size must be a positive integer')
        result = get_store().flush_expired(
            batch_size=batch_size,
            dry_run=options['dry_run'],
        )
        if options['dry_run']:
            self.stdout.write(
                f'Would delete {result.deleted} row(s) of expired '
                f'tokens in {result.batches} batch(es).',
            )
        else:
            self.stdout.write(
                self.style.SUCCESS(
                    f'Deleted {result.deleted} row(s) of expired '
                    f'tokens in {result.batches} batch(es).',
                ),
            )
