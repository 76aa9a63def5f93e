from django.apps import AppConfig


class DevtoolsConfig(AppConfig):
    """Synthetic data, benchmarks and load tests. No models; it may import the domain apps,
    and none of them may import it (tests/test_layout.py checks)."""

    name = "vbr.devtools"
    label = "devtools"
    verbose_name = "Development tools"
