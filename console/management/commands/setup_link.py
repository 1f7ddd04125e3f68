from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand

from console.models import SetupLink


class Command(BaseCommand):
    help = "While no user exists, print a one-time link that creates the first admin."

    def add_arguments(self, parser):
        parser.add_argument("--base-url", default="http://127.0.0.1:8000")

    def handle(self, base_url, **options):
        if get_user_model().objects.exists():
            return
        secret = SetupLink.issue()
        self.stdout.write(
            "\nNo user exists yet. Open this one-time link to create the first admin:\n\n"
            f"    {base_url.rstrip('/')}/setup/{secret}/\n"
        )
