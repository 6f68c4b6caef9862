using System.Linq.Expressions;
using System.Reflection;

namespace HazardGrid.Common;

/// <summary>
/// Adds records of counts member by member, and makes their zero, from the records' primary
/// constructors: an <c>int</c> or <c>long</c> adds, an enum is a key that the two sides share, a
/// nested record adds as a whole, and an <see cref="EquatableArray{T}"/> of keyed records merges
/// by key (the item's first member) in key order. So a figure added to a record is summed and
/// zeroed with no code of its own. The adder is compiled once per type: rollups add figures on
/// every change of a child, so it must cost what hand-written code would.
/// </summary>
public static class Additive<T>
    where T : class
{
    private static readonly ConstructorInfo s_constructor = Additive.PrimaryConstructor(typeof(T));
    private static readonly Func<T, T, T> s_add = CompileAdd();

    /// <summary>All counts zero, all arrays empty.</summary>
    public static T Zero { get; } = (T)s_constructor.Invoke([.. s_constructor.GetParameters().Select(p => Additive.ZeroOf(p.ParameterType))]);

    public static T Add(T a, T b) => s_add(a, b);

    private static Func<T, T, T> CompileAdd()
    {
        var a = Expression.Parameter(typeof(T), "a");
        var b = Expression.Parameter(typeof(T), "b");
        var members = s_constructor.GetParameters().Select(p =>
        {
            var property = typeof(T).GetProperty(p.Name!)
                ?? throw new InvalidOperationException($"{typeof(T).Name}.{p.Name} has no property: Additive needs a positional record");
            return Additive.AddExpression(p.ParameterType, Expression.Property(a, property), Expression.Property(b, property));
        });
        return Expression.Lambda<Func<T, T, T>>(Expression.New(s_constructor, members), a, b).Compile();
    }
}

/// <summary>The member rules of <see cref="Additive{T}"/>.</summary>
public static class Additive
{
    internal static ConstructorInfo PrimaryConstructor(Type type) =>
        type.GetConstructors().Where(c => c.GetParameters() is { Length: > 0 } p && !(p.Length == 1 && p[0].ParameterType == type))
            .MaxBy(c => c.GetParameters().Length)
        ?? throw new InvalidOperationException($"{type.Name} has no primary constructor");

    internal static object? ZeroOf(Type type) => type switch
    {
        _ when type == typeof(int) => 0,
        _ when type == typeof(long) => 0L,
        _ when type.IsEnum => Activator.CreateInstance(type),
        _ when IsArray(type, out var item) => typeof(EquatableArray<>).MakeGenericType(item).GetProperty(nameof(EquatableArray<int>.Empty))!.GetValue(null),
        _ => typeof(Additive<>).MakeGenericType(type).GetProperty(nameof(Additive<object>.Zero))!.GetValue(null),
    };

    internal static Expression AddExpression(Type type, Expression a, Expression b) => type switch
    {
        _ when type == typeof(int) || type == typeof(long) => Expression.Add(a, b),
        _ when type.IsEnum => a, // a key: both sides name the same one
        _ when IsArray(type, out var item) => Expression.Call(typeof(Additive).GetMethod(nameof(MergeByKey), BindingFlags.NonPublic | BindingFlags.Static)!.MakeGenericMethod(item), a, b),
        _ => Expression.Call(typeof(Additive<>).MakeGenericType(type).GetMethod(nameof(Additive<object>.Add))!, a, b),
    };

    private static EquatableArray<TItem> MergeByKey<TItem>(EquatableArray<TItem> a, EquatableArray<TItem> b)
        where TItem : class
    {
        if (b.Count == 0)
        {
            return a;
        }

        if (a.Count == 0)
        {
            return b;
        }

        var merged = new SortedDictionary<object, TItem>();
        foreach (var item in a.Items.Concat(b.Items))
        {
            var key = Keys<TItem>.Of(item);
            merged[key] = merged.TryGetValue(key, out var have) ? Additive<TItem>.Add(have, item) : item;
        }

        return new EquatableArray<TItem>([.. merged.Values]);
    }

    private static bool IsArray(Type type, out Type item)
    {
        item = type.IsGenericType && type.GetGenericTypeDefinition() == typeof(EquatableArray<>) ? type.GetGenericArguments()[0] : typeof(void);
        return item != typeof(void);
    }

    /// <summary>The key of a keyed record: its first member, compiled once.</summary>
    private static class Keys<TItem>
    {
        public static readonly Func<TItem, object> Of = Compile();

        private static Func<TItem, object> Compile()
        {
            var item = Expression.Parameter(typeof(TItem), "item");
            var key = typeof(TItem).GetProperty(PrimaryConstructor(typeof(TItem)).GetParameters()[0].Name!)!;
            return Expression.Lambda<Func<TItem, object>>(Expression.Convert(Expression.Property(item, key), typeof(object)), item).Compile();
        }
    }
}
