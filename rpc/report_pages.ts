// Report pages of SMS Marketing (beyond Odoo's RPC surface), server-rendered from views/:
//
//   /sms_marketing/mailing/<id>     funnel, cancelled / failed by reason, per-day deliveries and
//                                   clicks, credits spent
//   /sms_marketing/campaign/<id>    the campaign's SMS mailings (A/B variants) side by side
//   /sms_marketing/static/*         Chart.js (from node_modules) and the page script
//
// Logged-in users only (rpc/web_login.ts); the figures are read as the user, so a user who may
// not read the mailing over RPC gets a 403 page.

import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { Express, Request, Response } from 'express';
import type { RpcContext } from './context.ts';
import type { Env } from '../models/orm/env.ts';
import { readViewFile, renderTemplate } from '../models/tools/html_template.ts';
import { campaignFigures, mailingFigures, type MailingFigures } from '../models/mass_mailing_sms/report.ts';
import { htmlAnswer, pageAs, send } from './web_login.ts';
import { werkzeugErrorPage } from './errors.ts';
import type { WebSession } from './session.ts';

// Chart.js's UMD build: the package's exports hide dist/, so go from its main entry.
const CHART_JS = join(dirname(createRequire(import.meta.url).resolve('chart.js')), 'chart.umd.min.js');

const COLORS = ['#714b67', '#017e84', '#e9a03b', '#d9534f', '#5b8def', '#6c757d'];

function pct(n: number, of: number): string {
  return of ? `${((100 * n) / of).toFixed(1)} %` : '—';
}

async function userName(env: Env, session: WebSession): Promise<string> {
  const [u] = await env.sudo().model('res.users').browse([session.uid]).fetch(['name']);
  return String(u?.name ?? session.login);
}

function mailingPage(m: MailingFigures, user: string): string {
  const s = m.stats;
  const funnel = [
    { key: 'expected', label: 'Expected', count: s.expected },
    { key: 'sent', label: 'Sent', count: s.sent },
    { key: 'delivered', label: 'Delivered', count: s.delivered },
    { key: 'clicked', label: 'Clicked', count: s.clicked },
  ].map((f) => ({ ...f, pct: pct(f.count, s.expected) }));
  const kpis = [
    { key: 'expected', label: 'Expected', value: s.expected },
    { key: 'sent', label: 'Sent', value: s.sent },
    { key: 'delivered', label: 'Delivered', value: s.delivered },
    { key: 'clicked', label: 'Clicked', value: s.clicked },
    { key: 'bounced', label: 'Bounced', value: s.bounced },
    { key: 'failed', label: 'Failed', value: s.failed },
    { key: 'canceled', label: 'Cancelled', value: s.canceled },
    { key: 'pending', label: 'In progress', value: s.scheduled + s.pending },
    { key: 'credits', label: 'Credits', value: m.credits },
  ];
  const funnelChart = {
    type: 'bar',
    data: { labels: funnel.map((f) => f.label), datasets: [{ label: 'Recipients', data: funnel.map((f) => f.count), backgroundColor: COLORS.slice(0, 4) }] },
    options: { plugins: { legend: { display: false } }, scales: { y: { beginAtZero: true, ticks: { precision: 0 } } } },
  };
  const timeChart = {
    type: 'line',
    data: {
      labels: m.perDay.map((d) => d.day),
      datasets: [
        { label: 'Sent', data: m.perDay.map((d) => d.sent), borderColor: COLORS[0], backgroundColor: COLORS[0] },
        { label: 'Delivered', data: m.perDay.map((d) => d.delivered), borderColor: COLORS[1], backgroundColor: COLORS[1] },
        { label: 'Clicked', data: m.perDay.map((d) => d.clicked), borderColor: COLORS[2], backgroundColor: COLORS[2] },
      ],
    },
    options: { scales: { y: { beginAtZero: true, ticks: { precision: 0 } } } },
  };
  return renderTemplate('sms_marketing/mailing_report.html', {
    title: `${m.name} – SMS report`, user_name: user, mailing: m, kpis, funnel,
    campaign_id: m.campaign ? m.campaign[0] : '', campaign_name: m.campaign ? m.campaign[1] : '',
    not_delivered: m.canceledBy.length + m.failedBy.length > 0,
    funnel_chart: JSON.stringify(funnelChart), time_chart: JSON.stringify(timeChart),
  });
}

function intParam(req: Request): number | null {
  const raw = String(req.params.id);
  return /^\d{1,9}$/.test(raw) ? Number(raw) : null;
}

export function reportPageRoutes(app: Express, ctx: RpcContext): void {
  app.get('/sms_marketing/static/chart.umd.min.js', (_req: Request, res: Response) => {
    res.status(200).set({ 'Content-Type': 'text/javascript; charset=utf-8', 'Cache-Control': 'public, max-age=86400' }).send(readFileSync(CHART_JS));
  });
  app.get('/sms_marketing/static/report.js', (_req: Request, res: Response) => {
    res.status(200).set({ 'Content-Type': 'text/javascript; charset=utf-8', 'Cache-Control': 'no-cache' }).send(readViewFile('static/report.js'));
  });

  app.get('/sms_marketing/mailing/:id', (req, res, next) => {
    const id = intParam(req);
    if (id === null) return send(res, werkzeugErrorPage(404));
    return pageAs(ctx, async (env, _req, session) => {
      const [m] = await mailingFigures(env, [id]);
      return htmlAnswer(200, mailingPage(m, await userName(env, session)));
    })(req, res, next);
  });

  app.get('/sms_marketing/campaign/:id', (req, res, next) => {
    const id = intParam(req);
    if (id === null) return send(res, werkzeugErrorPage(404));
    return pageAs(ctx, async (env, _req, session) => {
      const c = await campaignFigures(env, id);
      const figures: [string, string, (m: MailingFigures) => number | string][] = [
        ['expected', 'Expected', (m) => m.stats.expected],
        ['sent', 'Sent', (m) => m.stats.sent],
        ['delivered', 'Delivered', (m) => m.stats.delivered],
        ['clicked', 'Clicked', (m) => m.stats.clicked],
        ['clicks_ratio', 'Click rate (%)', (m) => m.stats.clicks_ratio],
        ['bounced', 'Bounced', (m) => m.stats.bounced],
        ['failed', 'Failed', (m) => m.stats.failed],
        ['canceled', 'Cancelled', (m) => m.stats.canceled],
        ['credits', 'Credits', (m) => m.credits],
      ];
      const chart = {
        type: 'bar',
        data: {
          labels: ['Sent', 'Delivered', 'Clicked', 'Bounced', 'Failed'],
          datasets: c.mailings.map((m, i) => ({
            label: m.name, backgroundColor: COLORS[i % COLORS.length],
            data: [m.stats.sent, m.stats.delivered, m.stats.clicked, m.stats.bounced, m.stats.failed],
          })),
        },
        options: { scales: { y: { beginAtZero: true, ticks: { precision: 0 } } } },
      };
      return htmlAnswer(200, renderTemplate('sms_marketing/campaign_report.html', {
        title: `${c.name} – SMS campaign report`, user_name: await userName(env, session), campaign: c,
        count: c.mailings.length, ab: c.mailings.some((m) => m.abTesting),
        columns: c.mailings.map((m) => ({ id: m.id, name: m.name, winner: m.id === c.winner })),
        rows: figures.map(([key, label, get]) => ({ key, label, cells: c.mailings.map(get) })),
        variants_chart: JSON.stringify(chart),
      }));
    })(req, res, next);
  });
}
