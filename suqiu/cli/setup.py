"""Installation commands: init, migrate, publish-config, doctor, status, serve, run, demo, audit."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import typer

from suqiu.cli.output import HomeOpt, JsonOpt, emit, err, fail, load, print_pipeline
from suqiu.config import ConfigError, home_dir
from suqiu.installation import CONFIG_KEY, Installation, write_default_config
from suqiu.installation import publish_config as publish_installation_config


def init(home: HomeOpt = None,
         force: Annotated[bool, typer.Option(help="Overwrite an existing configuration.")] = False) -> None:
    """Write a default configuration under SUQIU_HOME."""
    path, written = write_default_config(home_dir(home), force=force)
    err.print(f"{'已写入' if written else '已存在，未覆盖'} 配置文件: {path}")
    inst = load(home)  # creates the database and its schema
    err.print(f"数据目录: {inst.data_dir}")
    if not inst.store_url.startswith("sqlite") and inst.store.get_blob(CONFIG_KEY) is None:
        publish_installation_config(inst)
        err.print("已把配置发布到共享数据库：没有 suqiu.toml 的工作节点从那里读取（修改后运行 `suqiu publish-config`）")


def migrate(home: HomeOpt = None, as_json: JsonOpt = False) -> None:
    """Upgrade the store's schema to this release's (keeping every row), then move what an earlier
    release kept only on this machine (models, the topic model, the web secret) into the shared state."""
    from nlp.stages.topics import TopicsStage
    from suqiu.state import publish_local_files
    from suqiu.store.migrations import upgrade
    try:
        inst = Installation.load(home)
    except ConfigError as exc:
        fail(str(exc))
    result = upgrade(inst.store_url)
    result["published"] = publish_local_files(inst) + (["models/topics"] if TopicsStage.adopt_local_model(inst) else [])
    if as_json:
        emit(result)
        return
    if result["created"]:
        err.print(f"已新建数据库，结构版本 {result['to']}")
    else:
        err.print(f"数据库结构版本：{result['from']} → {result['to']}" + ("（已是最新）" if result["from"] == result["to"] else ""))
    if result["published"]:
        err.print(f"已把本机的 {len(result['published'])} 项状态（模型、密钥）放入共享状态")


def publish_config(home: HomeOpt = None) -> None:
    """Publish this home's suqiu.toml to the shared store, where workers without one read it."""
    inst = load(home)
    if not publish_installation_config(inst):
        fail(f"{inst.config_path} 不存在：先运行 `suqiu init` 并编辑它")
    err.print(f"已发布配置 {inst.config_path} → 数据库（{inst.store.engine.dialect.name}）")


def doctor(home: HomeOpt = None, as_json: JsonOpt = False) -> None:
    """Check configuration, store, search backend (and Elasticsearch's version) and fonts."""
    from suqiu.cli.doctor import run_checks
    checks = run_checks(home)
    if as_json:
        emit({"ok": all(c.ok for c in checks), "checks": [c.as_dict() for c in checks]})
    else:
        for c in checks:
            err.print(f"{'[green]✓[/green]' if c.ok else '[red]✗[/red]'} {c.name:9} {c.detail}")
    if not all(c.ok for c in checks):
        raise typer.Exit(1)


def status(home: HomeOpt = None, as_json: JsonOpt = False) -> None:
    """Counts of records, quarantine, analysis, index, routing, replies and overdue items."""
    from suqiu.twoway.tracking import overdue_count
    inst = load(home)
    payload = inst.store.status()
    payload["overdue"] = overdue_count(inst.store, inst.config)
    if as_json:
        emit(payload)
        return
    rec = payload["records"]
    err.print(f"记录 {rec['total']} 条 {rec['by_source']}")
    for key, label in (("quarantined", "隔离"), ("analyzed", "已分析"), ("indexed", "已索引"),
                       ("routed", "已分派"), ("triage", "待人工分派"), ("replied", "已答复"), ("overdue", "超期")):
        err.print(f"{label:6} {payload[key]}")


def serve(host: Annotated[Optional[str], typer.Option(help="Bind address (default from config: 127.0.0.1).")] = None,
          port: Annotated[Optional[int], typer.Option(help="Port (default from config: 8080).")] = None,
          home: HomeOpt = None) -> None:
    """The web interface, the department API and the Open311 endpoints."""
    from suqiu.web.serve import run_server
    inst = load(home)
    bind_host, bind_port = host or inst.config.server.host, port or inst.config.server.port
    err.print(f"诉求分析平台: http://{bind_host}:{bind_port}/  (Ctrl+C 停止)")
    run_server(inst, bind_host, bind_port)


def run(home: HomeOpt = None, as_json: JsonOpt = False,
        file: Annotated[Optional[list[Path]], typer.Option("--file", help="Export to import (repeatable).")] = None,
        source: Annotated[Optional[list[str]], typer.Option("--source", help="Source to crawl (repeatable); default: all enabled.")] = None,
        profile: Annotated[Optional[str], typer.Option(help="Import profile for --file.")] = None,
        workers: Annotated[int, typer.Option(help="Processes for the text stage; 0: two from 2,000 pending records.")] = 0,
        period: Annotated[str, typer.Option(help="Digest period: day or week.")] = "day",
        week: Annotated[Optional[str], typer.Option(help="Report week; default: the last complete week.")] = None) -> None:
    """The whole pipeline once, as the Prefect `pipeline` flow."""
    from flows.environment import prepare_prefect
    inst = load(home)
    prepare_prefect(inst)   # before Prefect is imported: it reads its settings on import
    from flows.pipeline import pipeline
    result = pipeline(home=str(inst.home), sources=source or None, files=[str(f) for f in file or []],
                      profile=profile, workers=workers, period=period, report_week=week)
    emit(result) if as_json else print_pipeline(result)


def demo(home: HomeOpt = None, as_json: JsonOpt = False) -> None:
    """Make sample data, serve the fixture sites, run everything, print where outputs are."""
    from flows.demo import run_demo
    h = home_dir(home)
    err.print(f"[bold]suqiu 演示[/bold]：安装目录 {h}")
    result = run_demo(h, say=lambda m: err.print(f"• {m}"))
    if as_json:
        emit(result)
        return
    print_pipeline(result)
    err.print("[bold]示例检索（信访办视角）[/bold]")
    for q, r in result["searches"].items():
        tops = [f"{t}（同类 {n} 件）" if n > 1 else t for t, n in zip(r["top"], r.get("same") or [1] * len(r["top"])) if t]
        groups = f"（合并同类后 {r['groups']} 项）" if r.get("groups") is not None else ""
        err.print(f"  {q!r}: {r['total']} 条{groups}，例如 {'；'.join(tops)}")
    p = result["paths"]
    err.print(f"[bold]输出位置[/bold]\n  数据库 {p['store']}\n  示例数据 {p['sample']}\n  部门摘要发件箱 {p['outbox']}")
    for kind, path in p["reports"].items():
        err.print(f"  周报 {kind} {path}")
    leaders = result["leaders"]
    for kind, path in p["leaders"].items():
        err.print(f"  月报 {kind} {path}")
    err.print(f"[bold]每月一题候选（{leaders['period']}）[/bold]")
    for i, c in enumerate(leaders["candidates"], start=1):
        err.print(f"  {i}. [{c['topic_id']}] {c['label']}：{'；'.join(c['reasons'])}")
    user = result["web_user"]
    err.print(f"  网页：SUQIU_HOME={p['home']} .venv/bin/suqiu serve  →  http://127.0.0.1:8080/"
              f"（态势大屏 {p['dashboard']}；用户 {user['username']}，密码 {user['password']}）")
    err.print("[bold]工作台（演示账号，仅供演示）[/bold]")
    err.print(f"  信访办：用户名 {user['username']}  密码 {user['password']}  →  http://127.0.0.1:8080/office")
    for u in result.get("logins", []):
        err.print(f"  {u['department']}：用户名 {u['username']}  密码 {u['password']}  →  http://127.0.0.1:8080{u['start']}")
    example = result.get("status_example")
    if example:
        err.print(f"  市民查询：http://127.0.0.1:8080/status  工单编号 {example['number']}  查询码 {example['code']}")
    err.print(f"用时 {result['elapsed_s']} 秒")


def audit(home: HomeOpt = None, as_json: JsonOpt = False) -> None:
    """Scan what the installation emitted (outbox, reports, search index) for mobile numbers."""
    from reports.audit import installation_artifacts, mobile_numbers
    inst: Installation = load(home)
    found = {name: sorted({m for t in texts for m in mobile_numbers(t)})
             for name, texts in installation_artifacts(inst).items()}
    leaks = {name: nums for name, nums in found.items() if nums}
    if as_json:
        emit({"artifacts": len(found), "leaks": {k: len(v) for k, v in leaks.items()}, "ok": not leaks})
    else:
        err.print(f"检查了 {len(found)} 个输出；" + ("未发现手机号。" if not leaks else "发现手机号："))
        for name, nums in leaks.items():
            err.print(f"  [red]{name}[/red]: {len(nums)} 个")
    if leaks:
        raise typer.Exit(1)


def register(app: typer.Typer) -> None:
    for fn in (init, migrate, publish_config, doctor, status, serve, run, demo, audit):
        app.command()(fn)
