namespace ResidualSheaf.Runner.Sharding;

/// <summary>
/// The files of a sharded run's folder that tell whose shard it is and how far it got: the manifest (fingerprint, shard), the rows
/// file (one row per finished item, its id in <paramref name="IdColumn"/>) and the summary key that counts the items it reported.
/// </summary>
/// <param name="Name">What the run is ("hunt", "batch"), for messages and file names.</param>
/// <param name="Manifest">Manifest file name.</param>
/// <param name="Rows">Rows file name.</param>
/// <param name="IdColumn">Column of the rows file holding the item id.</param>
/// <param name="ReportedCount">Key of summary.json counting the items the report covers.</param>
public sealed record ShardKind(string Name, string Manifest, string Rows, string IdColumn, string ReportedCount)
{
    /// <summary>A hunt's shard folder (hunt.json, results.csv, summary.json cases_done).</summary>
    public static ShardKind Hunt { get; } = new("hunt", "hunt.json", "results.csv", "case", "cases_done");

    /// <summary>A batch's shard folder (batch.json, batch.csv, summary.json rows).</summary>
    public static ShardKind Batch { get; } = new("batch", "batch.json", "batch.csv", "input", "rows");

    /// <summary>A train sweep's shard folder (sweep.json, sweep.csv, summary.json points_done).</summary>
    public static ShardKind Sweep { get; } = new("sweep", "sweep.json", "sweep.csv", "point", "points_done");
}
