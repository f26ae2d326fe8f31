import { join } from 'node:path';

export interface ServiceFilesRequest {
  baseDir: string;
  ports: readonly number[];
  /** @defaultValue BASE/bin/redis-server */
  redisServer?: string;
  /** @defaultValue 'redis' */
  user?: string;
}

/**
 * Section 8: a start script for all instances, a systemd unit template (redis@PORT.service), and a
 * logrotate snippet (Redis never rotates its own log; copytruncate keeps the open file valid).
 */
export function renderServiceFiles(request: ServiceFilesRequest): Record<string, string> {
  const server = request.redisServer ?? join(request.baseDir, 'bin', 'redis-server');
  const conf = join(request.baseDir, 'conf');
  const user = request.user ?? 'redis';
  const start = [
    '#!/bin/sh',
    '# Starts every instance with its own config (daemonize yes in the common file).',
    'set -e',
    ...request.ports.map((port) => `${server} ${join(conf, `redis-${port}.conf`)}`),
    '',
  ].join('\n');
  const unit = [
    '[Unit]',
    'Description=Redis Cluster instance %i',
    'After=network-online.target',
    '',
    '[Service]',
    'Type=forking',
    `User=${user}`,
    `ExecStart=${server} ${join(conf, 'redis-%i.conf')}`,
    `PIDFile=/var/run/redis-%i.pid`,
    'LimitNOFILE=102400',
    'Restart=on-failure',
    '',
    '[Install]',
    'WantedBy=multi-user.target',
    '',
  ].join('\n');
  const logrotate = [
    `${join(request.baseDir, 'log', 'redis-*.log')} {`,
    '    daily',
    '    rotate 14',
    '    compress',
    '    delaycompress',
    '    missingok',
    '    notifempty',
    '    copytruncate',
    '}',
    '',
  ].join('\n');
  return { 'start-all.sh': start, 'redis@.service': unit, 'logrotate-redis': logrotate };
}
