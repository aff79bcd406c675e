"""The official Odoo external API example flow, with Python's own xmlrpc.client.

Usage: python3 xmlrpc_docs_flow.py URL DB USER PASSWORD
Prints one JSON object summarising what the server answered; any unexpected answer raises.
"""
import json
import sys
import xmlrpc.client

url, db, username, password = sys.argv[1:5]
out = {}

common = xmlrpc.client.ServerProxy(f"{url}/xmlrpc/2/common")
out["version"] = common.version()
uid = common.authenticate(db, username, password, {})
out["uid"] = uid

models = xmlrpc.client.ServerProxy(f"{url}/xmlrpc/2/object")
out["can_read"] = models.execute_kw(db, uid, password, "res.partner", "check_access_rights", ["read"], {"raise_exception": False})

# a few companies to list
for name in ("Docs Co A", "Docs Co B", "Docs Co C"):
    models.execute_kw(db, uid, password, "res.partner", "create", [{"name": name, "is_company": True}])

ids = models.execute_kw(db, uid, password, "res.partner", "search", [[["is_company", "=", True]]])
out["search"] = ids
out["search_page"] = models.execute_kw(db, uid, password, "res.partner", "search", [[["is_company", "=", True]]], {"offset": 1, "limit": 1})
out["search_count"] = models.execute_kw(db, uid, password, "res.partner", "search_count", [[["is_company", "=", True]]])
[record] = models.execute_kw(db, uid, password, "res.partner", "read", [ids[:1]])
out["read_all_fields"] = len(record)
out["read_fields"] = models.execute_kw(db, uid, password, "res.partner", "read", [ids], {"fields": ["name", "country_id", "comment"]})
fields = models.execute_kw(db, uid, password, "res.partner", "fields_get", [], {"attributes": ["string", "help", "type"]})
out["fields_get_name"] = fields["name"]
out["search_read"] = models.execute_kw(db, uid, password, "res.partner", "search_read", [[["is_company", "=", True]]], {"fields": ["name", "country_id", "comment"], "limit": 5})

new_id = models.execute_kw(db, uid, password, "res.partner", "create", [{"name": "New Partner"}])
out["create"] = new_id
out["create_list"] = models.execute_kw(db, uid, password, "res.partner", "create", [[{"name": "Listed Partner"}]])
out["write"] = models.execute_kw(db, uid, password, "res.partner", "write", [[new_id], {"name": "Newer partner"}])
out["display_name"] = models.execute_kw(db, uid, password, "res.partner", "read", [[new_id], ["display_name"]])
out["name_search"] = models.execute_kw(db, uid, password, "res.partner", "name_search", ["Newer"], {"limit": 10})
out["unlink"] = models.execute_kw(db, uid, password, "res.partner", "unlink", [[new_id]])
out["after_unlink"] = models.execute_kw(db, uid, password, "res.partner", "search", [[["id", "=", new_id]]])

# what a client sees on errors: Fault objects with Odoo's codes, never ProtocolError
faults = {}
for label, call in [
    ("wrong_password", lambda: models.execute_kw(db, uid, "wrong", "res.partner", "search", [[]])),
    ("unknown_model", lambda: models.execute_kw(db, uid, password, "no.such.model", "search", [[]])),
    ("private_method", lambda: models.execute_kw(db, uid, password, "res.partner", "_private", [[1]])),
    ("unknown_field", lambda: models.execute_kw(db, uid, password, "res.partner", "read", [[1], ["no_such_field"]])),
    ("none_result", lambda: models.execute_kw(db, uid, password, "res.partner", "check_access_rights", ["read"])),
    ("too_large", lambda: common.version("x" * (10 * 1024 * 1024))),
]:
    try:
        call()
        faults[label] = None
    except xmlrpc.client.Fault as f:
        faults[label] = [f.faultCode, f.faultString.strip().splitlines()[-1]]
out["faults"] = faults

print(json.dumps(out))
