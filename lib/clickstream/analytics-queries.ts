import { EVENTS_TABLE } from './data-lake';
import { PARTITION_KEY } from './partitioning';

/** A saved Athena query that answers one of the course's questions. */
export interface SavedQuery {
  readonly name: string;
  readonly description: string;
  readonly sql: string;
}

/**
 * The partition filter every saved query starts with: only the hours asked
 * for are read. `dt` is the arrival hour, so an extra hour is included for
 * events that arrived after the hour they happened in.
 */
const hoursBack = (hours: number) => `${PARTITION_KEY} >= date_format(current_timestamp - interval '${hours + 1}' hour, '%Y-%m-%d-%H')`;

/** Counted by DISTINCT event_id: a record the tracker resent is counted once. */
export const SAVED_QUERIES: readonly SavedQuery[] = [
  {
    name: 'most-viewed-menu-items-last-hour',
    description: 'Menu items clicked most in the last hour',
    sql: `SELECT menu_item_id, menu_section, count(DISTINCT event_id) AS clicks
FROM ${EVENTS_TABLE}
WHERE ${hoursBack(1)}
  AND occurred_at >= current_timestamp - interval '1' hour
  AND event_type = 'menu_item_click'
GROUP BY menu_item_id, menu_section
ORDER BY clicks DESC
LIMIT 10;`,
  },
  {
    name: 'visits-and-clicks-per-hour-last-day',
    description: 'Page views, visits and item clicks per hour over the last 24 hours',
    sql: `SELECT date_trunc('hour', occurred_at) AS hour,
  count(DISTINCT CASE WHEN event_type = 'page_view' THEN event_id END) AS page_views,
  count(DISTINCT session_id) AS visits,
  count(DISTINCT CASE WHEN event_type = 'menu_item_click' THEN event_id END) AS item_clicks
FROM ${EVENTS_TABLE}
WHERE ${hoursBack(24)}
  AND occurred_at >= current_timestamp - interval '24' hour
GROUP BY 1
ORDER BY 1;`,
  },
  {
    name: 'click-through-by-section-last-day',
    description: 'Share of visits that clicked an item in each menu section, last 24 hours',
    sql: `WITH visits AS (
  SELECT count(DISTINCT session_id) AS total
  FROM ${EVENTS_TABLE}
  WHERE ${hoursBack(24)} AND occurred_at >= current_timestamp - interval '24' hour AND event_type = 'page_view'
)
SELECT menu_section,
  count(DISTINCT session_id) AS visits_with_a_click,
  round(100.0 * count(DISTINCT session_id) / max(visits.total), 1) AS percent_of_visits
FROM ${EVENTS_TABLE} CROSS JOIN visits
WHERE ${hoursBack(24)}
  AND occurred_at >= current_timestamp - interval '24' hour
  AND event_type = 'menu_item_click'
GROUP BY menu_section
ORDER BY visits_with_a_click DESC;`,
  },
];
