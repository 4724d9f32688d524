import { z } from 'zod';

/**
 * `MSELECT_METRICS`: where a worker serves Prometheus metrics, `host:port` (IPv4, a host name
 * or a bracketed IPv6 address), e.g. `127.0.0.1:9464` or `0.0.0.0:9464`.
 */
export const MetricsAddressSchema = z
  .string()
  .regex(/^(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9.-]+):\d{1,5}$/, 'must be host:port, e.g. 127.0.0.1:9464')
  .refine((s) => {
    const port = Number(s.slice(s.lastIndexOf(':') + 1));
    return port >= 1 && port <= 65535;
  }, 'the port must be 1..65535');
