import pytest
from django.core.exceptions import ValidationError

from console.models import Host


@pytest.mark.parametrize("url", ["unix:///var/run/docker.sock", "tcp://10.0.0.5:2375", ""])
def test_an_engine_address_is_accepted(db, url):
    Host(name="h", url=url).full_clean()


@pytest.mark.parametrize("url", ["ftp://x", "%%%", "tcp://", "ssh://admin@web1", "tcp://x:port", "unix://"])
def test_an_address_the_console_cannot_use_is_refused_with_a_sentence(db, url):
    with pytest.raises(ValidationError, match="is not an engine address the console can use"):
        Host(name="h", url=url).full_clean()
