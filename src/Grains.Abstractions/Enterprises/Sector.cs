namespace HazardGrid.Enterprises;

/// <summary>Sectors (行业) named by the directives (000, 001).</summary>
public enum Sector
{
    Chemicals = 1,              // 化工
    CoalMining = 2,             // 煤矿
    NonCoalMining = 3,          // 非煤矿山
    IndustryTrade = 4,          // 工贸
    FireSafety = 5,             // 消防
    Transport = 6,              // 交通运输
    Construction = 7,           // 建筑施工
    Gas = 8,                    // 燃气
    Maritime = 9,               // 海上安全
    SpecialEquipment = 10,      // 特种设备
    Fireworks = 11,             // 烟花爆竹
    CivilExplosives = 12,       // 民爆
    DustExplosion = 13,         // 粉尘涉爆
    AmmoniaRefrigeration = 14,  // 涉氨制冷
}
