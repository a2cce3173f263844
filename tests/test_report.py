"""Tests of the report runner, HTML export and the end-to-end report on the demo study.

The runner is tested on a tiny notebook of our own (written into ``tmp_path``), so it is
verified independently of the study pipeline; the end-to-end tests run the bundled notebook.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

from abclab.exceptions import ReportError, StudyError
from abclab.report import ReportFiles, bundled_notebook, run_report
from abclab.report._html import export_html, remote_resources
from abclab.report._runner import _parameter_names

REPO = Path(__file__).resolve().parents[1]
DEMO = REPO / "data" / "demo" / "study.yaml"


def _tiny_notebook(path: Path) -> Path:
    """A stand-in report notebook: one parameters cell, a table, a failing cell on demand."""
    params = new_code_cell(
        'study_path = ""\noutput_dir = ""\nwrite_xlsx = True\nlanguage = ""\nfail = False\nlabel = "x"'
    )
    params.metadata["tags"] = ["parameters"]
    setup = new_code_cell(
        "import json, pathlib, pandas as pd\n"
        "from IPython.display import HTML, display\n"
        "out = pathlib.Path(output_dir)"
    )
    setup.metadata["abclab"] = {"section": "summary"}
    table = new_code_cell(
        "display(HTML(pd.DataFrame({'name': [label, '<script>alert(1)</script>']}).to_html(escape=True)))"
    )
    boom = new_code_cell("if fail:\n    raise KeyError('no column named spend')")
    boom.metadata["abclab"] = {"section": "weights"}
    files = new_code_cell(
        "(out / 'provenance.json').write_text(json.dumps({'label': label, 'cwd': str(pathlib.Path.cwd())}, ensure_ascii=False), encoding='utf-8')\n"
        "if write_xlsx:\n    pd.DataFrame({'a': [1]}).to_excel(out / 'report.xlsx')"
    )
    nb = new_notebook(
        cells=[params, setup, new_markdown_cell("## Tables"), table, boom, files],
        metadata={
            "kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}
        },
    )
    nbformat.write(nb, path)
    return path


@pytest.fixture
def tiny(tmp_path: Path) -> tuple[Path, Path]:
    study_dir = tmp_path / "study"
    study_dir.mkdir()
    study = study_dir / "study.yaml"
    (study_dir / "c.csv").write_text("customer_id,spend\nc1,1\nc2,2\n", encoding="utf-8")
    study.write_text(
        "name: tiny\nlanguage: zh\ndata: {customers: {path: c.csv}}\ncriteria: {spend: {}}\n"
        "methods: [pareto]\n",
        encoding="utf-8",
    )
    return study, _tiny_notebook(tmp_path / "tiny.ipynb")


def test_runner_writes_every_file_and_keeps_unicode_parameters(tiny, tmp_path):
    """Success: notebook, HTML, PDF, Excel and provenance (with timings) are all in out_dir."""
    study, nb = tiny
    seen: list[str] = []
    files = run_report(
        study, tmp_path / "out", notebook=nb, parameters={"label": "华东客户"}, progress=seen.append
    )
    assert isinstance(files, ReportFiles)
    assert [p.name for p in files.paths] == [
        "report.ipynb",
        "report.html",
        "report.pdf",
        "report.xlsx",
        "provenance.json",
    ]
    assert all(p.is_file() and p.stat().st_size > 0 for p in files.paths)
    assert files.pdf.read_bytes().startswith(b"%PDF")
    record = json.loads(files.provenance.read_text(encoding="utf-8"))
    assert record["label"] == "华东客户"
    assert record["cwd"] == str(study.parent)  # kernel runs in the study directory
    assert record["report"]["language"] == "zh"
    assert {"report_notebook", "report_html", "report_pdf"} <= set(record["timings"])
    # The injected parameters cell keeps Chinese readable (no \u534e escapes).
    injected = nbformat.read(files.notebook, as_version=4).cells[1].source
    assert "'华东客户'" in injected and "\\u" not in injected
    html = files.html.read_text(encoding="utf-8")
    assert '<html lang="zh">' in html
    assert "<title>tiny</title>" in html  # the study's name, not "abclab report"
    # The stored notebook names no folder of this machine (papermill's input and output
    # paths, the staging folder and the study path are replaced by the report's own names).
    stored = files.notebook.read_text(encoding="utf-8")
    assert str(tmp_path) not in stored and ".staging-" not in stored
    assert "study_path = 'study.yaml'" in stored and "output_dir = '.'" in stored
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "<script>alert(1)</script>" not in html
    assert seen[0] == "executing report notebook" and "writing PDF" in seen
    # No staging directory is left next to the report.
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out", "study", "tiny.ipynb"]


def test_runner_only_requested_formats(tiny, tmp_path):
    study, nb = tiny
    files = run_report(study, tmp_path / "out", notebook=nb, formats=("html",))
    assert (files.pdf, files.xlsx) == (None, None)
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == [
        ".abclab-report.json",
        "provenance.json",
        "report.html",
        "report.ipynb",
    ]


def _snapshot(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir()) if p.is_file()}


def test_failing_cell_names_section_and_keeps_the_previous_report(tiny, tmp_path):
    """A failing cell → ReportError naming cell, section and error; the previous report is
    left byte-identical and the failure notebook is written beside it."""
    study, nb = tiny
    out = tmp_path / "out"
    run_report(study, out, notebook=nb, formats=("html",))  # an earlier, good report
    before = _snapshot(out)
    del before[".abclab-report.json"]  # the manifest gains the failure record
    with pytest.raises(
        ReportError,
        match=r"cell 5 \(section 'weights': Criteria weights\): KeyError: .*no column named spend",
    ) as caught:
        run_report(study, out, notebook=nb, parameters={"fail": True})
    assert "Traceback" not in str(caught.value) and "raise KeyError" not in str(caught.value)
    after = _snapshot(out)
    assert {k: after[k] for k in before} == before  # byte-identical
    assert set(after) == set(before) | {"report.FAILED.ipynb", ".abclab-report.json"}
    failed = nbformat.read(out / "report.FAILED.ipynb", as_version=4)
    assert any(o.get("ename") == "KeyError" for c in failed.cells for o in c.get("outputs", []))
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out", "study", "tiny.ipynb"]
    # --debug: the failing cell's own traceback follows the message
    with pytest.raises(ReportError) as caught:
        run_report(study, out, notebook=nb, parameters={"fail": True}, debug=True)
    assert "raise KeyError('no column named spend')" in str(caught.value)
    assert "\x1b[" not in str(caught.value)
    # A later success removes the failure record.
    run_report(study, out, notebook=nb, formats=("html",))
    assert "report.FAILED.ipynb" not in {p.name for p in out.iterdir()}


@pytest.mark.parametrize("name", ["report.xlsx", "report.html", "provenance.json"])
def test_a_file_in_out_that_abclab_did_not_write_is_never_touched(tiny, tmp_path, name):
    """A client's ``report.xlsx`` (or any file named like an output) in --out: refused before
    anything runs, and the file is left as it was; the same once abclab wrote the folder."""
    study, nb = tiny
    out = tmp_path / "out"
    out.mkdir()
    client = out / name
    client.write_bytes(b"the client's own file")
    seen: list[str] = []
    with pytest.raises(
        ReportError, match=rf"{re.escape(name)} exists and was not written by abclab"
    ):
        run_report(study, out, notebook=nb, progress=seen.append)
    assert seen == [] and client.read_bytes() == b"the client's own file"
    assert sorted(p.name for p in out.iterdir()) == [name]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out", "study", "tiny.ipynb"]
    # a folder abclab wrote: a file edited since is not overwritten either
    other = tmp_path / "other"
    run_report(study, other, notebook=nb, formats=("html",))
    (other / "report.html").write_text("edited by hand", encoding="utf-8")
    with pytest.raises(ReportError, match="report.html was changed since abclab wrote it"):
        run_report(study, other, notebook=nb, formats=("html",))
    assert (other / "report.html").read_text(encoding="utf-8") == "edited by hand"
    # other files in --out (inputs, notes) are never touched by a successful run
    note = other / "customers.xlsx"
    note.write_bytes(b"input")
    (other / "report.html").unlink()
    run_report(study, other, notebook=nb, formats=("html",))
    assert note.read_bytes() == b"input"


def test_progress_names_pipeline_steps_and_sections(tiny, tmp_path):
    """Each report section is announced as its cell starts; pipeline steps written by the
    kernel (abclab.pipeline.PROGRESS_ENV) are relayed."""
    study, nb_path = tiny
    nb = nbformat.read(nb_path, as_version=4)
    nb.cells.insert(2, nbformat.v4.new_code_cell(
        "from abclab.pipeline import run_study\nresults = run_study(study_path)"
    ))  # fmt: skip
    nbformat.write(nb, nb_path)
    seen: list[str] = []
    run_report(study, tmp_path / "out", notebook=nb_path, formats=("html",), progress=seen.append)
    assert "section: Executive summary" in seen and "section: Criteria weights" in seen
    assert "pipeline: data" in seen and "pipeline: cleaning" in seen
    assert seen.index("pipeline: data") < seen.index("writing HTML")


def test_runner_bad_input_errors(tiny, tmp_path):
    study, nb = tiny
    with pytest.raises(StudyError, match="missing.yaml: study file not found"):
        run_report(tmp_path / "missing.yaml", tmp_path / "out", notebook=nb)
    with pytest.raises(StudyError, match=r"unknown \['colour'\]; tiny.ipynb accepts"):
        run_report(study, tmp_path / "out", notebook=nb, parameters={"colour": "red"})
    with pytest.raises(StudyError, match=r"\['output_dir'\] are set by the runner"):
        run_report(study, tmp_path / "out", notebook=nb, parameters={"output_dir": "/tmp"})
    with pytest.raises(StudyError, match=r"expected a subset of .*\['docx'\]"):
        run_report(study, tmp_path / "out", notebook=nb, formats=("html", "docx"))
    with pytest.raises(StudyError, match="language: expected one of"):
        run_report(study, tmp_path / "out", notebook=nb, parameters={"language": "fr"})
    assert not (tmp_path / "out").exists()


def test_notebook_without_provenance_is_an_error(tiny, tmp_path):
    study, nb_path = tiny
    nb = nbformat.read(nb_path, as_version=4)
    nb.cells = nb.cells[:-1]
    nbformat.write(nb, nb_path)
    with pytest.raises(ReportError, match="did not write provenance.json"):
        run_report(study, tmp_path / "out", notebook=nb_path, formats=("html",))
    assert not (tmp_path / "out").exists() or not any((tmp_path / "out").iterdir())


def test_html_template_is_offline_and_hides_code():
    """The abclab template drops require.js/MathJax/mermaid CDN scripts and all code inputs."""
    nb = new_notebook(
        cells=[
            new_code_cell(
                "secret_code = 1",
                outputs=[
                    nbformat.v4.new_output("display_data", data={"text/html": "<p>hello</p>"})
                ],
            )
        ]
    )
    html = export_html(nb, language="en", title="T")
    assert remote_resources(html) == []
    assert not re.search(r"""(src|href)\s*=\s*["']?https?://""", html)
    assert "@import url(http" not in html
    assert "secret_code" not in html and "<p>hello</p>" in html
    assert "size: A4" in html and "break-inside: auto" in html
    assert remote_resources('<script src="https://cdn.example/x.js">') != []


def test_bundled_notebook_parameters_cell():
    """One ``parameters`` cell with literal defaults; the runner's names are among them."""
    nb = nbformat.read(bundled_notebook(), as_version=4)
    tagged = [c for c in nb.cells if "parameters" in c.metadata.get("tags", [])]
    assert len(tagged) == 1
    assert {"study_path", "output_dir", "write_xlsx", "language"} <= _parameter_names(nb)
    assert all(not c.get("outputs") for c in nb.cells if c.cell_type == "code")
    for cell in nb.cells:  # notebooks define no logic: no def/class/loops
        assert not re.search(r"^\s*(def|class|for|while)\b", cell.source, re.M), cell.source


# --------------------------------------------------------------------------- end to end

#: A customer of the demo data that ends up "pending evaluation" (missing payment data), so
#: it is listed by name in the data-quality section; its name is replaced by a script tag.
SCRIPT_NAME = "<script>alert(1)</script>"


@pytest.fixture(scope="session")
def demo_report(tmp_path_factory) -> ReportFiles:
    """The bundled report on a copy of the demo study: language zh, one hostile name."""
    if not DEMO.is_file():
        pytest.skip("data/demo/study.yaml is not there yet")
    root = tmp_path_factory.mktemp("demo")
    study_dir = root / "study"
    shutil.copytree(DEMO.parent, study_dir)
    study = study_dir / "study.yaml"
    study.write_text(
        re.sub(r"^language: en", "language: zh", study.read_text(encoding="utf-8"), flags=re.M),
        encoding="utf-8",
    )
    # The hostile name goes to a customer made *pending* by a large credit note (net spend
    # < 0), so that the report lists it with its (masked) contact details.
    shown = "C0066"
    log = study_dir / "transactions.csv"
    credit = f"2024-12-30,{shown},CN-TEST,备品备件,-99999999.00,-9999999.00,,\n"
    log.write_text(log.read_text(encoding="utf-8") + credit, encoding="utf-8")
    customers = study_dir / "customers.csv"
    lines = customers.read_text(encoding="utf-8").splitlines()
    hit = [k for k, line in enumerate(lines) if line.startswith(f"{shown},")]
    assert hit, f"{shown} not in the demo customers"
    cells = lines[hit[0]].split(",")
    cells[1] = SCRIPT_NAME
    lines[hit[0]] = ",".join(cells)
    customers.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return run_report(study, root / "out")


@pytest.mark.slow
def test_demo_report_files_and_provenance(demo_report):
    assert [p.name for p in demo_report.paths] == [
        "report.ipynb",
        "report.html",
        "report.pdf",
        "report.xlsx",
        "provenance.json",
        "checklist.md",  # the analyst's file, beside the report
    ]
    checklist = demo_report.checklist.read_text(encoding="utf-8")
    assert "- [ ] " in checklist and "CR = 0.1" in checklist  # the inconsistent expert
    record = json.loads(demo_report.provenance.read_text(encoding="utf-8"))
    assert record["audience"] == "client"
    assert record["checks"]["inconsistent_experts"]["count"] >= 1
    assert record["counts"]["input"] == sum(
        record["counts"][k] for k in ("classified", "pending", "merged")
    )
    assert record["report"]["language"] == "zh"
    assert {"report_notebook", "report_html", "report_pdf", "cleaning"} <= set(record["timings"])
    # The executed notebook has no error output and every section cell ran.
    nb = nbformat.read(demo_report.notebook, as_version=4)
    assert not any(o.get("output_type") == "error" for c in nb.cells for o in c.get("outputs", []))


@pytest.mark.slow
def test_demo_report_html_is_offline_escaped_and_masked(demo_report):
    html = demo_report.html.read_text(encoding="utf-8")
    assert remote_resources(html) == []
    assert not re.search(r"""(?:src|href)\s*=\s*["']?\s*https?://""", html, re.I)
    assert not re.search(r"@import\s+url\(\s*[\"']?https?", html, re.I)
    assert SCRIPT_NAME not in html
    # criterion ids are shown with the study's labels (criteria.annual_spend.label)
    assert "Annual spend (CNY)" in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert '<html lang="zh">' in html and "执行摘要" in html and "数据质量" in html
    images = re.findall(r'<img[^>]+src="data:image/png;base64,', html)
    assert len(images) >= 5  # weights, Pareto/Lorenz, kappa, clusters, sensitivity
    assert "<img" not in re.sub(r'<img[^>]+src="data:image/png;base64,[^"]+"', "", html)
    # Phones of the demo data (11-digit mobiles) only appear masked.
    phones = re.findall(r"(?<![\d*])1[3-9]\d{9}(?!\d)", re.sub(r"<[^>]+>", " ", html))
    assert phones == []
    assert re.search(r"1[3-9]\d\*{4}\d{4}", html)


@pytest.mark.slow
def test_demo_report_files_name_no_machine_path(demo_report):
    """Neither the executed notebook nor the HTML holds a path of this machine: the study's
    or report's folder, the staging folder, the package, the interpreter."""
    import sys

    import abclab

    root = demo_report.directory.parent
    private = {str(root), str(REPO), str(Path(abclab.__file__).parent), sys.prefix,
               sys.base_prefix, ".staging-"}  # fmt: skip
    for path in (demo_report.notebook, demo_report.html):
        content = path.read_text(encoding="utf-8")
        found = [p for p in private if p in content or json.dumps(p)[1:-1] in content]
        assert found == [], (path.name, found)
    nb = nbformat.read(demo_report.notebook, as_version=4)
    assert nb.metadata["papermill"]["parameters"]["study_path"] == "study.yaml"
    html = demo_report.html.read_text(encoding="utf-8")
    assert "<title>Demo company — customer classification 2024</title>" in html


@pytest.mark.slow
def test_demo_report_pdf_is_a4_with_chinese_text(demo_report, tmp_path):
    """The PDF renders to PNG pages with pdftoppm; pypdf finds the Chinese headings."""
    from pypdf import PdfReader

    reader = PdfReader(demo_report.pdf)
    assert len(reader.pages) >= 3
    box = reader.pages[0].mediabox
    assert (round(float(box.width)), round(float(box.height))) == (595, 842)  # A4 in points
    cover = reader.pages[0].extract_text()
    assert "客户分级分类报告" in cover and "目录" in cover and "保密" in cover
    assert "执行摘要" in reader.pages[1].extract_text()  # the executive layer opens page 2
    if shutil.which("pdftoppm") is None:
        pytest.skip("poppler-utils not installed")
    subprocess.run(
        [
            "pdftoppm",
            "-r",
            "40",
            "-png",
            "-f",
            "1",
            "-l",
            "2",
            str(demo_report.pdf),
            str(tmp_path / "page"),
        ],
        check=True,
        timeout=120,
    )
    from matplotlib import image

    pages = sorted(tmp_path.glob("page*.png"))
    assert len(pages) == 2
    assert all(image.imread(p).std() > 0.02 for p in pages)  # not blank
