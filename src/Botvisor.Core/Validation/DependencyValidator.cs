namespace Botvisor.Core.Validation;

/// <summary><c>depends_on</c> must name bots of the fleet and must not form a cycle.</summary>
public sealed class DependencyValidator : IFleetValidator
{
    public string Name => "depends_on";

    public void Validate(FleetValidationContext context)
    {
        var bots = context.Fleet.Bots.ToDictionary(b => b.Id, b => b.DependsOn, StringComparer.Ordinal);
        foreach (var bot in context.Fleet.Bots)
        {
            for (int i = 0; i < bot.DependsOn.Count; i++)
            {
                var dep = bot.DependsOn[i];
                if (dep == bot.Id) context.Report($"bots.{bot.Id}.depends_on[{i}]", "a bot cannot depend on itself", dep);
                else if (!bots.ContainsKey(dep)) context.Report($"bots.{bot.Id}.depends_on[{i}]", "no bot has this id", dep);
            }
        }

        // Depth-first search; each cycle is reported once, at the bot where it was found.
        var state = new Dictionary<string, int>(StringComparer.Ordinal); // 0 new, 1 on stack, 2 done
        var stack = new List<string>();
        foreach (var id in bots.Keys) Visit(id);

        void Visit(string id)
        {
            if (state.GetValueOrDefault(id) == 2) return;
            state[id] = 1;
            stack.Add(id);
            foreach (var dep in bots[id])
            {
                if (dep == id || !bots.ContainsKey(dep)) continue;
                if (state.GetValueOrDefault(dep) == 1)
                {
                    var cycle = stack.Skip(stack.IndexOf(dep)).Append(dep);
                    context.Report($"bots.{id}.depends_on", "dependency cycle: " + string.Join(" -> ", cycle), dep);
                }
                else
                {
                    Visit(dep);
                }
            }
            stack.RemoveAt(stack.Count - 1);
            state[id] = 2;
        }
    }
}
