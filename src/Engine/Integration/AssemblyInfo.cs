using System.Runtime.CompilerServices;

[assembly: InternalsVisibleTo("ResidualSheaf.Tests")]
[assembly: InternalsVisibleTo("ResidualSheaf.Benchmarks")]
