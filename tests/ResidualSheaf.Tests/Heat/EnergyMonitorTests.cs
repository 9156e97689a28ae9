using ResidualSheaf.Engine.Heat;

namespace ResidualSheaf.Tests.Heat;

/// <summary>Energy-increase detection and classification on hand-built sample and event sequences.</summary>
public sealed class EnergyMonitorTests
{
    private static HeatEvent Ev(double t, int j, HeatEventKind k) => new(t, j, $"z[{j}]", k, UnitMode.Active);

    [Fact]
    public void IncreasesAreClassifiedBySlidingThenSwitchThenIntegrationError()
    {
        var m = new EnergyMonitor(1e-12);
        // t:    0    1    2    3    4    5    6    7    8
        double[] e = [10, 11, 9, 9.5, 8, 8.5, 7, 7.2, 6];
        for (int i = 0; i < e.Length; i++) m.Add(i, e[i], 0);
        var events = new[]
        {
            Ev(0.5, 1, HeatEventKind.CrossUp),        // inside (0, 1): chattering at a switch
            Ev(2.2, 2, HeatEventKind.SlideEnter),     // sliding on 2.2 … 3.5 covers (2, 3)
            Ev(3.5, 2, HeatEventKind.SlideExit),
            Ev(4.5, 3, HeatEventKind.Graze),          // a graze is not a switch: (4, 5) stays an integration error
            Ev(6.9, 4, HeatEventKind.SlideEnter),     // open until the end: covers (6, 7)
        };
        var found = m.Classify(events);
        Assert.Equal(
            [EnergyIncreaseCause.ChatteringAtSwitch, EnergyIncreaseCause.Sliding, EnergyIncreaseCause.IntegrationError, EnergyIncreaseCause.Sliding],
            found.Select(f => f.Cause));
        Assert.Equal([0.0, 2, 4, 6], found.Select(f => f.T0));
        Assert.Equal(0.1, found[0].Relative, 15);
    }

    [Fact]
    public void RisesBelowTheRelativeThresholdOrTheRoundingFloorDoNotCount()
    {
        var m = new EnergyMonitor(1e-12);
        m.Add(0, 1.0, 0);
        m.Add(1, 1.0 + 5e-13, 0);     // below 1e-12 relative
        m.Add(2, 1.0 + 5e-13 + 1e-9, 1e-8); // below the rounding floor given
        m.Add(3, 2.0, 0);             // counts
        Assert.Single(m.Classify([]));
        Assert.Equal(2, m.RisesWithinRounding);
    }

    [Fact]
    public void RoundingFloorGrowsWithEnergyAndScale()
    {
        double a = EnergyMonitor.RoundingFloor(10, 1, 0);
        double b = EnergyMonitor.RoundingFloor(10, 1, 1);
        double c = EnergyMonitor.RoundingFloor(10, 100, 1);
        Assert.True(a > 0 && b > a && c > b);
        // √(2·1·10)·4ε·2 + 10·(8ε)²
        Assert.Equal(Math.Sqrt(20) * 8 * 2.220446049250313e-16 + 10 * Math.Pow(8 * 2.220446049250313e-16, 2), b, 1e-30);
    }
}
