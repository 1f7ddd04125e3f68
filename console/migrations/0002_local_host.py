from django.db import migrations


def create_local_host(apps, schema_editor):
    Host = apps.get_model("console", "Host")
    Host.objects.get_or_create(name="local", defaults={"url": ""})


class Migration(migrations.Migration):
    dependencies = [("console", "0001_initial")]
    operations = [migrations.RunPython(create_local_host, migrations.RunPython.noop)]
