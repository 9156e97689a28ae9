namespace ResidualSheaf.Runner.Config;

/// <summary>A configuration error that names the offending field (exit code 2).</summary>
public sealed class ConfigException(string field, string problem) : Exception($"config field '{field}': {problem}")
{
    /// <summary>Dotted path of the field, e.g. network.blocks[0].hidden.</summary>
    public string Field { get; } = field;
}
