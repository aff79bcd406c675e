"""OdooRPC (Debian's python3-odoorpc) against the server: login, search, browse, write, read
relational fields through browse, create, unlink, database list, logout.

Usage: python3 odoorpc_flow.py HOST PORT DB USER PASSWORD
Prints one JSON object summarising the results; any error raises.
"""
import json
import sys

import odoorpc

host, port, db, login, password = sys.argv[1:6]
out = {}

odoo = odoorpc.ODOO(host, port=int(port))  # probes /web/webclient/version_info
out["version"] = odoo.version
out["db_list"] = odoo.db.list()
odoo.login(db, login, password)
out["user_name"] = odoo.env.user.name
out["context"] = odoo.env.context
out["has_partner_model"] = "res.partner" in odoo.env

Partner = odoo.env["res.partner"]
Country = odoo.env["res.country"]
be = Country.search([("code", "=", "BE")])
parent_id = Partner.create({"name": "OdooRPC Parent", "is_company": True, "country_id": be[0]})
child_id = Partner.create({"name": "OdooRPC Child", "parent_id": parent_id, "email": "child@example.com"})
out["search"] = Partner.search([("name", "like", "OdooRPC")], order="name")

child = Partner.browse(child_id)
out["browse_name"] = child.name
out["parent_name"] = child.parent_id.name          # many2one read lazily through browse
out["parent_country"] = child.parent_id.country_id.code
parent = Partner.browse(parent_id)
out["children"] = [c.name for c in parent.child_ids]   # one2many through browse

child.email = "changed@example.com"                # auto-commit write
out["email_after_set"] = Partner.browse(child_id).email
Partner.write([child_id], {"function": "Tester"})
out["function"] = Partner.read([child_id], ["function"])[0]["function"]
records = Partner.browse(Partner.search([("is_company", "=", True)]))
out["companies"] = sorted(r.name for r in records)

try:
    Partner.browse(child_id).read(["no_such_field"])
    out["error"] = None
except odoorpc.error.RPCError as exc:
    out["error"] = str(exc)

Partner.unlink([child_id])
out["after_unlink"] = Partner.search([("id", "=", child_id)])
odoo.logout()
print(json.dumps(out))
