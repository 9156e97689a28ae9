using System.Globalization;
using System.Text.Json.Nodes;

namespace ResidualSheaf.Runner.Hunt;

/// <summary>
/// What a shard folder (of a hunt or a batch) holds: whose shard it is (fingerprint, k/N) and how many of its cases are done. A shard is complete when
/// every case i &lt; cases with i mod N = k has a row and the report counted all of them (so a task killed while writing its
/// report, after the last row, is still run again).
/// </summary>
/// <param name="Folder">The shard folder.</param>
/// <param name="Exists">Whether the folder holds a hunt (hunt.json).</param>
/// <param name="Fingerprint">The fingerprint in its hunt.json, or null.</param>
/// <param name="Shard">The (k, N) in its hunt.json, or null.</param>
/// <param name="Expected">Cases of the shard (i &lt; cases, i mod N = k).</param>
/// <param name="Done">Distinct cases of the shard with a row in results.csv.</param>
/// <param name="Reported">Whether summary.json counts all <paramref name="Expected"/> cases.</param>
public sealed record ShardStatus(string Folder, bool Exists, string? Fingerprint, (int K, int N)? Shard, int Expected, int Done, bool Reported)
{
    /// <summary>Every case has a row and the report is written.</summary>
    public bool Complete => Done == Expected && Reported;

    /// <summary>Number of ids i in [0, cases) with i mod n = k.</summary>
    public static int ExpectedCases(int cases, int k, int n) => new Sharding.Shard(k, n).Expected(cases);

    /// <summary>Reads a shard folder meant to hold shard k of n of a hunt with <paramref name="cases"/> cases.</summary>
    public static ShardStatus Read(string folder, int cases, int k, int n) => Read(folder, cases, k, n, Sharding.ShardKind.Hunt);

    /// <summary>Reads a shard folder meant to hold shard k of n of a <paramref name="kind"/> run over <paramref name="cases"/> items.</summary>
    public static ShardStatus Read(string folder, int cases, int k, int n, Sharding.ShardKind kind)
    {
        int expected = ExpectedCases(cases, k, n);
        string manifest = Path.Combine(folder, kind.Manifest);
        if (!File.Exists(manifest)) return new ShardStatus(folder, false, null, null, expected, 0, false);
        var m = JsonNode.Parse(File.ReadAllText(manifest))!;
        var shard = (m["shard"]?["k"]?.GetValue<int>() ?? throw new InvalidDataException($"{manifest}: no shard.k"),
            m["shard"]?["n"]?.GetValue<int>() ?? throw new InvalidDataException($"{manifest}: no shard.n"));
        string results = Path.Combine(folder, kind.Rows);
        var ids = new HashSet<long>();
        if (File.Exists(results))
            foreach (var r in ResultsFile.Read(results))
            {
                long id = long.Parse(r[kind.IdColumn], CultureInfo.InvariantCulture);
                if (id < cases && id % n == k) ids.Add(id);
            }
        string summary = Path.Combine(folder, "summary.json");
        bool reported = File.Exists(summary) && JsonNode.Parse(File.ReadAllText(summary))?[kind.ReportedCount]?.GetValue<int>() == expected;
        return new ShardStatus(folder, true, m["fingerprint"]?.GetValue<string>(), shard, expected, ids.Count, reported);
    }
}
