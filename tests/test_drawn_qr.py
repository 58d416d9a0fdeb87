"""QR codes drawn without a picture (facts/drawn.py): table cells and block characters, read back into
modules and decoded like a picture; a table of colours and a text bar chart are no QR code.

The codes are made here with zxing-cpp's writer, the same library that reads pictures' codes."""

from __future__ import annotations

import random
from email.message import EmailMessage

import pytest
import zxingcpp
from whence.pipeline import Analysis
from whence.settings import Settings

URL = "https://mailbox-keep.kq7vz3.cn/verify?u=taro"


def modules(text: str) -> list[list[bool]]:
    image = zxingcpp.create_barcode(text, zxingcpp.BarcodeFormat.QRCode).to_image(scale=1, add_quiet_zones=False)
    pixels = memoryview(image)
    return [[pixels[y, x] < 128 for x in range(pixels.shape[1])] for y in range(pixels.shape[0])]


def mail(text: str, html: str | None = None) -> dict:
    msg = EmailMessage()
    msg["From"] = "Mail Administrator <admin@kq7vz3.cn>"
    msg["To"] = "taro@example.jp"
    msg["Subject"] = "Mailbox storage full"
    msg.set_content(text)
    if html is not None:
        msg.add_alternative(html, subtype="html")
    return Analysis(msg.as_bytes(), Settings(offline=True)).offline_report()


def qr_finding(report: dict) -> dict | None:
    return next((f for f in report["findings"] if f["id"] == "attachment.qr_code"), None)


def table(grid: list[list[bool]], cell: str) -> str:
    rows = "".join("<tr>" + "".join(cell.format("#000000" if dark else "#ffffff") for dark in row) + "</tr>"
                   for row in grid)
    return f"<p>Scan the code with your phone to keep your mailbox.</p><table cellspacing=0>{rows}</table>"


@pytest.mark.parametrize("cell", ['<td bgcolor="{}" width=4 height=4></td>',
                                  '<td style="width:4px;height:4px;background-color:{}"></td>'])
def test_a_code_drawn_with_table_cells_is_read(cell: str) -> None:
    found = qr_finding(mail("Scan the code.", table(modules(URL), cell)))
    assert found is not None
    assert found["evidence"]["payloads"] == [URL] and found["evidence"]["drawn"] == ["qr-table"]
    assert "表のセル" in found["detail"]["ja"]


def test_a_code_drawn_with_block_characters_is_read() -> None:
    grid = modules(URL)
    grid.append([False] * len(grid[0]))  # an odd number of rows: the last line's lower half is light
    pairs = zip(grid[::2], grid[1::2], strict=False)
    lines = ["".join("█" if top and low else "▀" if top else "▄" if low else " "
                     for top, low in zip(upper, lower, strict=True)) for upper, lower in pairs]
    found = qr_finding(mail("Scan this code to keep your mailbox:\n\n" + "\n".join(lines) + "\n\nAdmin"))
    assert found is not None and found["evidence"]["payloads"] == [URL]
    assert found["evidence"]["drawn"] == ["qr-blocks"]


def test_a_colour_table_and_a_text_bar_chart_are_no_code() -> None:
    rng = random.Random(7)
    grid = [[rng.random() < 0.5 for _ in range(30)] for _ in range(30)]  # dark and light cells, no code
    chart = "Storage used:\nMail   ████████████▌ 62%\nFiles  ██████ 30%\nOther  █ 8%\n"
    report = mail(chart, table(grid, '<td bgcolor="{}"></td>'))
    assert qr_finding(report) is None
    assert report["attachments"] == []
