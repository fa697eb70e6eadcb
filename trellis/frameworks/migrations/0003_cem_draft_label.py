"""The catalogue's Clinician Educator Milestones were labelled 1.0, but hold the earlier
draft's structure (4 domains, 15 subcompetencies), not the version published in 2022 (5
domains, 20 subcompetencies). Relabel an installed copy; its items and identifiers stay."""

from django.db import migrations

SLUG = "clinician-educator-milestones"
VERSION = "draft (4 domains)"
DESCRIPTION = (
    "A developmental framework for faculty who teach, for self-assessment and growth rather "
    "than accreditation. This is the structure of the earlier draft (4 domains, 15 "
    "subcompetencies); the version published in 2022 has 5 domains and 20 subcompetencies: "
    "import it from the official document (docs/formats.md). Descriptors are short "
    "paraphrases, not the official text."
)


def relabel(apps, schema_editor):
    Framework = apps.get_model("frameworks", "Framework")
    Framework.objects.filter(slug=SLUG, institution__isnull=True, version="1.0").update(
        version=VERSION, description=DESCRIPTION
    )


class Migration(migrations.Migration):
    dependencies = [("frameworks", "0002_initial")]

    operations = [migrations.RunPython(relabel, migrations.RunPython.noop)]
