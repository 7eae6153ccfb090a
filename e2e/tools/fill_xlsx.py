#!/usr/bin/python3
"""Fill a downloaded reporting template in LibreOffice Calc, as an operator would, and save it
as Excel 2007+ (.xlsx) with LibreOffice's own writer.

    /usr/bin/python3 fill_xlsx.py IN.xlsx OUT.xlsx '{"C19": {"营业收入": 123.5}}'

Rows are found by the code in column A, columns by a header (row 3) that starts with the given
name, so the test does not depend on the template's cell addresses. Runs a private headless
soffice (its own profile and pipe) and stops it afterwards. Needs Debian's
libreoffice-calc-nogui and python3-uno.
"""
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time

import uno
from com.sun.star.beans import PropertyValue


def prop(name, value):
    p = PropertyValue()
    p.Name, p.Value = name, value
    return p


def connect(pipe, proc):
    local = uno.getComponentContext()
    resolver = local.ServiceManager.createInstanceWithContext("com.sun.star.bridge.UnoUrlResolver", local)
    deadline = time.time() + 60
    while True:
        try:
            return resolver.resolve(f"uno:pipe,name={pipe};urp;StarOffice.ComponentContext")
        except Exception:
            if proc.poll() is not None or time.time() > deadline:
                raise SystemExit(f"soffice did not start (exit {proc.poll()})")
            time.sleep(0.3)


def main():
    src, dst, spec = sys.argv[1], sys.argv[2], json.loads(sys.argv[3])
    profile = tempfile.mkdtemp(prefix="cd-lo-profile-")
    pipe = f"cd_e2e_{os.getpid()}"
    proc = subprocess.Popen(
        ["soffice", "--headless", "--invisible", "--nologo", "--norestore", "--nodefault",
         f"-env:UserInstallation=file://{profile}", f"--accept=pipe,name={pipe};urp;"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        ctx = connect(pipe, proc)
        desktop = ctx.ServiceManager.createInstanceWithContext("com.sun.star.frame.Desktop", ctx)
        doc = desktop.loadComponentFromURL(uno.systemPathToFileUrl(os.path.abspath(src)), "_blank", 0,
                                           (prop("Hidden", True),))
        sheet = doc.Sheets.getByIndex(0)
        used = sheet.createCursor()
        used.gotoEndOfUsedArea(False)
        last_row, last_col = used.RangeAddress.EndRow, used.RangeAddress.EndColumn
        header_row = 2  # row 3: 集群代码 | 集群名称 | indicator headers
        headers = {sheet.getCellByPosition(c, header_row).getString(): c for c in range(last_col + 1)}
        for code, values in spec.items():
            row = next((r for r in range(header_row + 1, last_row + 1)
                        if sheet.getCellByPosition(0, r).getString() == code), None)
            if row is None:
                raise SystemExit(f"no row for {code}")
            for name, value in values.items():
                col = next((c for h, c in headers.items() if h.startswith(name)), None)
                if col is None:
                    raise SystemExit(f"no column {name} in {list(headers)}")
                cell = sheet.getCellByPosition(col, row)
                if isinstance(value, str):
                    cell.setString(value)
                else:
                    cell.setValue(value)
        doc.storeToURL(uno.systemPathToFileUrl(os.path.abspath(dst)),
                       (prop("FilterName", "Calc MS Excel 2007 XML"), prop("Overwrite", True)))
        doc.close(True)
        try:
            desktop.terminate()
        except Exception:
            pass  # the bridge drops as soffice exits
        proc.wait(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
        shutil.rmtree(profile, ignore_errors=True)


if __name__ == "__main__":
    main()
