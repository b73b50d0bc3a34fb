"""Evidence is checked by what it is, not by its first bytes (issue 18, point 8): the type from the content
(filetype), a PDF opened with pypdf, an image decoded with Pillow; names cut to a safe last part."""

from __future__ import annotations

import pytest

from tests.files import JPEG, PDF, PNG
from xunpai.services.objections import InvalidEvidence, _check_evidence, evidence_kind, safe_filename
from xunpai.services.procedure import EvidenceUpload

ELF = b"\x7fELF\x02\x01\x01" + b"\x00" * 200


@pytest.mark.parametrize("content, name, kind", [
    (PDF, "证据.pdf", "application/pdf"), (PNG, "照片.PNG", "image/png"), (JPEG, "现场.jpeg", "image/jpeg"),
])
def test_real_files_pass(content, name, kind):
    assert evidence_kind(content, name) == kind


@pytest.mark.parametrize("content, name", [
    (b"%PDF-1.4\n" + ELF, "x.pdf"),  # a magic prefix with an executable body
    (b"%PDF-1.4\n%%EOF\n", "empty.pdf"),  # no page
    (b"\x89PNG\r\n\x1a\n" + b"\x00" * 64, "fake.png"),  # a PNG signature, no image
    (JPEG[:40], "cut.jpg"),  # truncated
    (PNG, "photo.jpg"),  # a PNG named as a JPEG
    (PDF, "report.exe"),
    (ELF, "x.png"),
])
def test_forged_or_mismatched_files_are_refused(content, name):
    assert evidence_kind(content, name) is None
    with pytest.raises(InvalidEvidence, match="不受支持、已损坏或与扩展名不符"):
        _check_evidence([EvidenceUpload(name, content)])


def test_names_are_reduced_to_a_safe_last_part():
    ((upload, kind, _digest),) = _check_evidence([EvidenceUpload("../../../../etc/cron.d/x.pdf", PDF)])
    assert upload.filename == "x.pdf" and kind == "application/pdf"
    assert safe_filename("..\\..\\windows\\system32\\a b<c>.PNG", "image/png") == "a_b_c.png"
    assert safe_filename("....pdf", "application/pdf") == "证据.pdf"
