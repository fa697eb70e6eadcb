from django.db import migrations, models


class Migration(migrations.Migration):
    """Failed sign-ins become attempts written before the password check (issue 16)."""

    dependencies = [
        ("people", "0002_failed_login"),
    ]

    operations = [
        migrations.RenameModel(old_name="FailedLogin", new_name="SignInAttempt"),
        migrations.AddField(
            model_name="signinattempt",
            name="outcome",
            field=models.CharField(
                choices=[
                    ("pending", "being checked"),
                    ("failed", "wrong e-mail or password"),
                    ("refused", "refused by a limit, password not checked"),
                ],
                default="failed",
                max_length=8,
            ),
            preserve_default=False,
        ),
        migrations.AlterField(
            model_name="signinattempt",
            name="outcome",
            field=models.CharField(
                choices=[
                    ("pending", "being checked"),
                    ("failed", "wrong e-mail or password"),
                    ("refused", "refused by a limit, password not checked"),
                ],
                default="pending",
                max_length=8,
            ),
        ),
    ]
