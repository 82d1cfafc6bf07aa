"""Semantic-layer metrics (models/marts/_marts__semantic.yml) compiled to SQL by MetricFlow.

``mf query`` insists on ``<project>/target/semantic_manifest.json``; this reads the manifest from
any target path (tests build into temporary ones) and only asks MetricFlow for the SQL, which the
caller runs on the warehouse it chooses.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path


class _DuckDbDialect:
    """What MetricFlow's planner needs from a SQL client to render SQL for DuckDB."""

    def __init__(self) -> None:
        from metricflow.protocols.sql_client import SqlEngine
        from metricflow.sql.render.duckdb_renderer import DuckDbSqlPlanRenderer

        self.sql_engine_type = SqlEngine.DUCKDB
        self.sql_plan_renderer = DuckDbSqlPlanRenderer()

    def render_bind_parameter_key(self, bind_parameter_key: str) -> str:
        return f"${bind_parameter_key}"

    def close(self) -> None:
        """Nothing to close: this client never connects."""


def metric_sql(target: Path, metrics: Sequence[str], group_by: Sequence[str] = ()) -> str:
    """DuckDB SQL computing ``metrics`` grouped by ``group_by`` (e.g. ``metric_time__month``)."""
    from metricflow.engine.metricflow_engine import MetricFlowEngine, MetricFlowQueryRequest
    from metricflow_semantics.model.dbt_manifest_parser import (
        parse_manifest_from_dbt_generated_manifest,
    )
    from metricflow_semantics.model.semantic_manifest_lookup import SemanticManifestLookup

    manifest = parse_manifest_from_dbt_generated_manifest(
        (target / "semantic_manifest.json").read_text()
    )
    engine = MetricFlowEngine(SemanticManifestLookup(manifest), _DuckDbDialect())  # type: ignore[arg-type]
    request = MetricFlowQueryRequest.create(
        metric_names=list(metrics), group_by_names=list(group_by)
    )
    return str(engine.explain(request).sql_statement.sql)
