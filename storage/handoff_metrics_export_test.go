package storage

// HandoffMetricsQuery lets the benchmark show the plan of the query it
// measures.
const HandoffMetricsQuery = handoffMetricsQuery
