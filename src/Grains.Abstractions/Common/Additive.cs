using System.Collections.Concurrent;
using System.Collections.Immutable;
using System.Reflection;

namespace HazardGrid.Common;

/// <summary>
/// Adds records of counts member by member, and makes their zero, from the records' primary
/// constructors: an <c>int</c> or <c>long</c> adds, an enum is a key that the two sides share, a
/// nested record adds as a whole, and an <see cref="EquatableArray{T}"/> of keyed records merges
/// by key (the item's first member) in key order. So a figure added to a record is summed and
/// zeroed with no code of its own.
/// </summary>
public static class Additive<T>
    where T : class
{
    private static readonly ConstructorInfo s_constructor = PrimaryConstructor(typeof(T));
    private static readonly PropertyInfo[] s_members = [.. s_constructor.GetParameters().Select(p => typeof(T).GetProperty(p.Name!)
        ?? throw new InvalidOperationException($"{typeof(T).Name}.{p.Name} has no property: Additive needs a positional record"))];

    /// <summary>All counts zero, all arrays empty.</summary>
    public static T Zero { get; } = (T)s_constructor.Invoke([.. s_members.Select(m => Additive.ZeroOf(m.PropertyType))]);

    public static T Add(T a, T b) =>
        (T)s_constructor.Invoke([.. s_members.Select(m => Additive.AddValues(m.PropertyType, m.GetValue(a), m.GetValue(b)))]);

    private static ConstructorInfo PrimaryConstructor(Type type) =>
        type.GetConstructors().Where(c => c.GetParameters() is { Length: > 0 } p && !(p.Length == 1 && p[0].ParameterType == type))
            .MaxBy(c => c.GetParameters().Length)
        ?? throw new InvalidOperationException($"{type.Name} has no primary constructor");
}

/// <summary>The member rules of <see cref="Additive{T}"/>.</summary>
public static class Additive
{
    private static readonly ConcurrentDictionary<Type, Func<object?, object?, object?>> s_adders = new();
    private static readonly ConcurrentDictionary<Type, object?> s_zeros = new();

    internal static object? ZeroOf(Type type) => s_zeros.GetOrAdd(type, t => t switch
    {
        _ when t == typeof(int) => 0,
        _ when t == typeof(long) => 0L,
        _ when t.IsEnum => Activator.CreateInstance(t),
        _ when IsArray(t, out var item) => Activator.CreateInstance(t, Array(item, [])),
        _ => typeof(Additive<>).MakeGenericType(t).GetProperty(nameof(Additive<object>.Zero))!.GetValue(null),
    });

    internal static object? AddValues(Type type, object? a, object? b) => s_adders.GetOrAdd(type, Adder)(a, b);

    private static Func<object?, object?, object?> Adder(Type type)
    {
        if (type == typeof(int))
        {
            return (a, b) => (int)a! + (int)b!;
        }

        if (type == typeof(long))
        {
            return (a, b) => (long)a! + (long)b!;
        }

        if (type.IsEnum)
        {
            return (a, _) => a; // a key: both sides name the same one
        }

        if (IsArray(type, out var item))
        {
            var key = item.GetConstructors().MaxBy(c => c.GetParameters().Length)!.GetParameters()[0];
            var keyOf = item.GetProperty(key.Name!)!;
            return (a, b) =>
            {
                var merged = new SortedDictionary<object, object>();
                foreach (var entry in ((System.Collections.IEnumerable)a!).Cast<object>().Concat(((System.Collections.IEnumerable)b!).Cast<object>()))
                {
                    var k = keyOf.GetValue(entry)!;
                    merged[k] = merged.TryGetValue(k, out var have) ? AddValues(item, have, entry)! : entry;
                }

                return Activator.CreateInstance(type, Array(item, merged.Values));
            };
        }

        var add = typeof(Additive<>).MakeGenericType(type).GetMethod(nameof(Additive<object>.Add))!;
        return (a, b) => add.Invoke(null, [a, b]);
    }

    private static bool IsArray(Type type, out Type item)
    {
        item = type.IsGenericType && type.GetGenericTypeDefinition() == typeof(EquatableArray<>) ? type.GetGenericArguments()[0] : typeof(void);
        return item != typeof(void);
    }

    // An ImmutableArray<item> of the values, for EquatableArray<item>'s constructor.
    private static object Array(Type item, IEnumerable<object> values)
    {
        var typed = System.Array.CreateInstance(item, values.Count());
        var i = 0;
        foreach (var value in values)
        {
            typed.SetValue(value, i++);
        }

        return typeof(ImmutableArray).GetMethods()
            .Single(m => m.Name == nameof(ImmutableArray.Create) && m.GetParameters() is [{ ParameterType.IsArray: true }])
            .MakeGenericMethod(item).Invoke(null, [typed])!;
    }
}
