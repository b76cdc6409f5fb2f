/**
 * The Operations view (owners and admins; docs/monitoring.md): the shop's messages per minute,
 * today and in total, connections, agents, queue and send p99, live over the socket
 * (`watchOperations`), with the nodes and the alert history.
 */
import { useEffect, useMemo, useState } from 'preact/hooks';
import type { Operations } from '@frontdesk/protocol';
import type { FrontdeskClient } from '@frontdesk/sdk';
import type { Api } from './api.ts';
import { TimeChart } from './chart.tsx';
import type { Strings } from './i18n.ts';
import { uiLocale } from './locale.ts';
import { Tiles } from './ui.tsx';

/** Live points kept for the second chart: half an hour at the default five seconds. */
const KEPT = 360;

interface Point {
  readonly at: number;
  readonly connections: number;
  readonly queue: number;
  readonly agents: number;
}

export function OperationsPage({ api, client, connected, t }: { api: Api; client: FrontdeskClient; connected: boolean; t: Strings }) {
  const [figures, setFigures] = useState<Operations | null>(null);
  const [points, setPoints] = useState<Point[]>([]);

  useEffect(() => {
    const take = (next: Operations) => {
      setFigures(next);
      const point = { at: Date.parse(next.at) / 1000, connections: next.connections, queue: next.queueLength, agents: next.agentsOnline };
      setPoints((list) => (list.length > 0 && list[list.length - 1]!.at >= point.at ? list : [...list, point].slice(-KEPT)));
    };
    const off = client.on('operations', take);
    api.operations().then(take, () => {});
    client.watchOperations().catch(() => {});
    return () => {
      off();
      client.unwatchOperations();
    };
  }, [api, client]);

  const perMinute = useMemo(() => {
    if (!figures) return null;
    const from = Date.parse(figures.messagesPerMinute.from) / 1000;
    return [figures.messagesPerMinute.counts.map((_, i) => from + i * 60), [...figures.messagesPerMinute.counts]] as [number[], number[]];
  }, [figures]);
  const live = useMemo(() => [points.map((p) => p.at), points.map((p) => p.connections), points.map((p) => p.queue), points.map((p) => p.agents)] as [number[], number[], number[], number[]], [points]);

  if (!figures || !perMinute) return <main class="operations" aria-busy="true" />;
  const lastMinute = figures.messagesPerMinute.counts[figures.messagesPerMinute.counts.length - 1] ?? 0;
  const tiles: Array<[string, string, string]> = [
    ['today', t.messagesToday(figures.timezone), figures.messagesToday.toLocaleString(uiLocale())],
    ['total', t.messagesTotal, figures.messagesTotal.toLocaleString(uiLocale())],
    ['connections', t.connectionsNow, String(figures.connections)],
    ['agents', t.agentsOnline, String(figures.agentsOnline)],
    ['queue', t.queueLength, String(figures.queueLength)],
    ['wait', t.oldestWait, figures.oldestWaitingMs === null ? t.none : duration(figures.oldestWaitingMs, t)],
    ['p99', t.sendP99, figures.sendP99Ms === null ? t.none : t.ms(Math.round(figures.sendP99Ms * 10) / 10)],
  ];

  return (
    <main class="operations">
      <h1>
        {t.operations}{' '}
        <small role="status" class={connected ? 'live' : 'stale'}>
          {connected ? t.opsLive : t.opsOffline}
        </small>
      </h1>
      <Tiles tiles={tiles} />
      <figure>
        <figcaption>{t.messagesPerMinute}</figcaption>
        <TimeChart bars timeLabel={t.when} series={[{ label: t.messagesSeries, color: '#2563eb' }]} data={perMinute} summary={`${t.messagesPerMinute}: ${lastMinute}`} />
      </figure>
      <figure>
        <figcaption>{t.liveLoad}</figcaption>
        <TimeChart
          timeLabel={t.when}
          series={[
            { label: t.connectionsSeries, color: '#2563eb' },
            { label: t.queueSeries, color: '#dc2626' },
            { label: t.agentsSeries, color: '#16a34a' },
          ]}
          data={live}
          summary={`${t.connectionsNow} ${figures.connections}, ${t.queueLength} ${figures.queueLength}, ${t.agentsOnline} ${figures.agentsOnline}`}
        />
      </figure>
      <h2>{t.nodes}</h2>
      <div class="scroll" tabIndex={0} aria-label={t.nodes}>
        <table class="grid">
          <thead>
            <tr>
              <th>{t.node}</th>
              <th>{t.connectionsNow}</th>
              <th>{t.sendP99}</th>
              <th>{t.startedAt}</th>
              <th>{t.lastHeartbeat}</th>
            </tr>
          </thead>
          <tbody>
            {figures.nodes.map((n) => (
              <tr key={n.id}>
                <td>{n.host}</td>
                <td>{n.connections}</td>
                <td>{n.sendP99Ms === null ? t.none : t.ms(Math.round(n.sendP99Ms * 10) / 10)}</td>
                <td>{new Date(n.startedAt).toLocaleString(uiLocale())}</td>
                <td>{new Date(n.seenAt).toLocaleTimeString(uiLocale())}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <h2>{t.alertHistory}</h2>
      {figures.alerts.length === 0 ? (
        <p class="empty">{t.noAlerts}</p>
      ) : (
        <div class="scroll" tabIndex={0} aria-label={t.alertHistory}>
          <table class="grid alerts">
            <thead>
              <tr>
                <th>{t.when}</th>
                <th>{t.rule}</th>
                <th>{t.statusColumn}</th>
                <th>{t.figure}</th>
                <th>{t.value}</th>
                <th>{t.threshold}</th>
                <th>{t.where}</th>
              </tr>
            </thead>
            <tbody>
              {figures.alerts.map((a) => (
                <tr key={a.id} class={a.state}>
                  <td>{new Date(a.at).toLocaleString(uiLocale())}</td>
                  <td>{a.rule}</td>
                  <td>{t.alertStates[a.state] ?? a.state}</td>
                  <td>{a.metric}</td>
                  <td>{Math.round(a.value * 1000) / 1000}</td>
                  <td>{a.threshold}</td>
                  <td>{a.node ?? t.deployment}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </main>
  );
}

function duration(ms: number, t: Strings): string {
  const seconds = Math.round(ms / 1000);
  return seconds < 120 ? t.seconds(seconds) : t.minutes(Math.round(seconds / 60));
}
