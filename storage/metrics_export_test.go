package storage

// JobCountsQuery lets a test see what the query it runs reads.
const JobCountsQuery = jobCountsQuery
