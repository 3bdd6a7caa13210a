/**
 * Word lists behind the generated names. Sized so that two-word ids cover 10,000+ entities with
 * few collisions (about 220 x 220 pairs) and first.last emails rarely repeat.
 */

const words = (text: string): ReadonlyArray<string> => text.trim().split(/\s+/)

/** First half of `word_word` ids, in the style of Fivetran's own (`quiet_harbor`, `amber_falcon`). */
export const idAdjectives = words(`
  able agile alpine amber ample ancient arctic ardent aspen autumn azure balmy bashful bold
  bouncy brave breezy bright brisk bronze calm candid careful cedar cheerful chilly civic clever
  cloudy coastal cobalt cool copper coral cosmic cozy crimson crisp curly dainty dapper daring
  dawn decent deep deft dewy dusty eager early earnest easy electric elegant emerald epic even
  exact fair famous fancy fearless feral fiery fine firm flat fleet fluffy flying fond formal
  fresh friendly frosty frugal gentle giant gilded glad gleaming glossy golden graceful grand
  grassy great green hardy hazel hearty hidden hollow honest humble husky icy idle indigo inner
  ivory jade jolly jovial keen kind lasting lavish lawful lemon level light lilac limber linen
  lively lofty loyal lucid lucky lunar lush magic maple marble mellow merry mighty mild misty
  modern modest molten mossy noble north novel oaken ocean olive opal open orange orchid outer
  pale paper patient peaceful pearl pine placid plain plucky plush polar polite proud pure quaint
  quick quiet radiant rapid rare ready regal remote rich rising robust rosy round royal ruby
  rustic sandy satin scarlet secret serene sharp shiny silent silken silver simple sleek smooth
  snowy solar solid sonic south spare sparkling speedy spiral spry stable steady stellar stony
  stout sturdy sublime sunny super swift tall tame tawny tender tidal tidy timber tiny topaz
  tranquil tropic true trusty twin upbeat urban valiant velvet vernal vivid violet warm wary
  whole wild windy winter wise witty woven young zesty
`)

/** Second half of `word_word` ids. */
export const idNouns = words(`
  acorn alder anchor antelope apple arbor arch aspen atlas aurora badger bamboo banner barley
  basin bay beacon bear beech berry birch bison bloom blossom bluff boulder breeze brook buffalo
  butte cactus canyon cape cardinal cascade castle cedar chamber cherry cinder cliff clover cobra
  comet condor coral cove coyote crane crater creek crest crow current cypress dale delta dew
  dolphin dove dune eagle echo egret elk ember falcon fawn fern field finch fjord flame flint
  forest fox galaxy garden gazelle geyser glacier glade glen grove gull harbor hare hawk heath
  heron hill horizon island ivy jaguar jasper jay juniper kestrel kite lagoon lake lark laurel
  leaf ledge lily linden lion lotus lynx magnet mango maple marsh meadow mesa meteor mink mist
  monsoon moon moose moss mountain nebula nectar nest oak oasis ocean orbit orchard osprey otter
  owl panda panther parrot path peak pebble pelican penguin petal pine planet plateau plover
  pond poplar prairie quail quartz rain raven reed reef ridge river robin rock rose sage salmon
  sand sapling sequoia shadow shore sierra sky slate sparrow spring spruce star stone storm
  stream summit sun swallow swan thicket thistle thunder tide tiger timber topaz trail tree
  trout tulip tundra valley vapor vista volcano walrus water wave willow wind wolf wren yak
  yarrow zebra zenith zephyr basil cairn cobble drift estuary fable fennel gale grotto hamlet
  inlet isle kelp knoll loch mallow moor nimbus outpost parcel quarry rapids savanna spire
  tarn terrace thorn verge wharf
`)

export const givenNames = words(`
  Aaliyah Aaron Abigail Adam Adriana Ahmed Aiden Aisha Akira Alan Alberto Alejandro Alex Alice
  Alicia Amara Amelia Amir Ana Andre Andrea Angela Anika Anna Antonio Arjun Astrid Aurora Ava
  Beatriz Ben Bianca Bilal Brandon Camila Carlos Carmen Caroline Chen Chloe Chris Clara Daniel
  Daniela David Deepa Diego Dmitri Elena Eli Elif Elijah Elise Emeka Emily Emma Eric Erik Ethan
  Eva Fatima Felipe Felix Fernando Fiona Gabriel Grace Hana Hannah Hassan Helena Henry Hiroshi
  Hugo Ibrahim Ines Irene Isaac Isabel Ivan Jack Jade James Jana Javier Jin Joao Jonas Jordan
  Jose Joseph Julia Julian Kai Karen Kate Kenji Kevin Khalid Kim Laila Lars Laura Leah Lena Leo
  Liam Lin Lina Lucas Lucia Luis Maja Malik Marco Maria Mariam Mark Marta Mateo Maya Mei Mia
  Michael Miguel Mohamed Nadia Naomi Nathan Nia Nikhil Nina Noah Nora Olga Oliver Olivia Omar
  Oscar Pablo Paul Pedro Priya Rachel Rafael Rahul Ravi Rebecca Ren Rosa Ruby Ryan Sakura Samir
  Samuel Sara Sean Sebastian Sofia Sophie Stefan Tariq Thomas Tomas Uma Valentina Victor Vikram
  Wei William Xavier Yara Yusuf Zara Zoe Anders Ayumi Bruno Dalia Esther Farah Goran Ingrid
  Jamal Keiko Lorenzo Milan Nils Priyanka Quentin Rania Soren Tanvi Ulrich Wanjiru Yusra
`)

export const familyNames = words(`
  Abbott Adeyemi Ahmed Ali Alvarez Andersen Anderson Aoki Bailey Baker Banerjee Barros Becker
  Bennett Bergstrom Bianchi Brooks Brown Campbell Carter Castillo Chang Chen Cho Clark Collins
  Costa Cruz Das Davies Diaz Dubois Edwards Eriksson Evans Fernandes Fischer Flores Garcia Gomez
  Gonzalez Green Gupta Hall Hansen Harris Hayashi Hernandez Hill Hoffmann Hughes Ibrahim Ito
  Jackson Jensen Johansson Johnson Jones Kapoor Kato Khan Kim King Klein Kowalski Kumar Larsen
  Lee Lewis Li Lim Lindqvist Liu Lopez Martin Martinez Mehta Meyer Miller Mitchell Moore Morales
  Moreau Morris Muller Murphy Nakamura Nguyen Nielsen Novak Nowak Okafor Okoro Olsen Ortiz Owusu
  Park Patel Pereira Perez Petrov Phillips Popescu Price Ramirez Rao Reddy Reyes Richter Rivera
  Roberts Robinson Rodriguez Romano Rossi Ruiz Russo Saito Sanchez Santos Sato Schmidt Schneider
  Scott Shah Sharma Silva Singh Smith Sokolov Souza Suzuki Takahashi Tanaka Taylor Thomas
  Thompson Torres Tran Turner Vargas Vasquez Walker Wang Watanabe Weber Williams Wilson Wong
  Wright Wu Yamamoto Yang Young Zhang Zhou Acheampong Almeida Aydin Bakker Bauer Blanco Bose
  Castro Chaudhry Chowdhury Dang Demir Dijkstra Esposito Farouk Ferrari Fontaine Fujita Galli
  Haddad Hakimi Hashemi Herrera Horvat Iyer Jovanovic Kaya Keller Kiplagat Kruger Lambert Laurent
  Lehmann Lindberg Lombardi Lund Mahmoud Marino Mendes Mensah Mori Moretti Nair Navarro Ncube
  Nilsson Oliveira Osei Ozturk Pham Pillai Quinn Rahman Ramos Rezaei Rocha Sandoval Schultz
  Sousa Sorensen Strand Sutherland Tan Toth Vogel Volkov Wagner Yilmaz Zimmermann
`)

/** Company names for the account; the email domain is derived from the chosen one. */
export const companies: ReadonlyArray<readonly [name: string, domain: string]> = [
  ["Acme Data", "acmedata.com"],
  ["Northwind Analytics", "northwind-analytics.com"],
  ["Globex Retail", "globex.io"],
  ["Initech Finance", "initech.com"],
  ["Umbrella Health", "umbrellahealth.org"],
  ["Stark Logistics", "starklogistics.com"],
  ["Wayne Media", "waynemedia.co"],
  ["Hooli Cloud", "hooli.io"],
  ["Vandelay Imports", "vandelay.com"],
  ["Soylent Foods", "soylentfoods.com"],
  ["Tyrell Robotics", "tyrell.ai"],
  ["Cyberdyne Systems", "cyberdyne.io"]
]

/** Tools that typically own a service account, used as its given name. */
export const serviceAccountTools = words(`
  Airflow Dagster Prefect Terraform Census Hightouch Jenkins Argo Looker Tableau Sigma Hex Atlan
  Okta Datadog Mode Metabase Airbyte Rundeck Spinnaker
`)

export const serviceAccountKinds = words(`Service Automation Integration Pipeline Bot`)

/** Team names are "<area> <function>", optionally prefixed by a region when the pairs run out. */
export const teamAreas = [
  "Data",
  "Analytics",
  "Finance",
  "Marketing",
  "Sales",
  "Growth",
  "Product",
  "Security",
  "Revenue",
  "Customer Success",
  "People",
  "Risk",
  "Supply Chain",
  "Operations",
  "Engineering",
  "Support",
  "Compliance",
  "Partnerships",
  "Billing",
  "Logistics",
  "Procurement",
  "Legal",
  "Research",
  "Payments",
  "Fraud"
] as const

export const teamFunctions = [
  "Platform",
  "Engineering",
  "Analytics",
  "Insights",
  "Reporting",
  "Operations",
  "Science",
  "Intelligence",
  "Infrastructure",
  "Enablement",
  "Strategy",
  "Governance"
] as const

export const teamRegions = ["EMEA", "APAC", "LATAM", "NA", "DACH", "Nordics", "UK", "India"] as const

/** Group names: `<base>_<qualifier>` (then `_<n>`), valid Fivetran group names. */
export const groupBases = words(`
  warehouse analytics finance marketing sales product ops lakehouse reporting bi revenue growth
  crm erp billing support hr security logistics payments events datamart staging raw
`)

export const groupQualifiers = words(`prod dev staging eu us apac emea uk de latam sandbox archive`)

/** Connection services, weighted towards the common ones by repetition. */
export const connectionServices = words(`
  salesforce salesforce salesforce postgres postgres postgres hubspot hubspot mysql mysql
  google_analytics_4 stripe zendesk netsuite_suiteanalytics shopify jira github google_ads
  facebook_ads linkedin_ads s3 sql_server oracle mongo workday marketo intercom google_sheets
  snowflake_db bigquery_db amplitude segment braze greenhouse dynamodb
`)

export const schemaQualifiers = words(`eu us prod main legacy apac archive replica internal emea`)

export const teamDescriptions = [
  "Owns the shared warehouse and its pipelines.",
  "Builds dashboards and reporting for the business.",
  "Keeps finance data accurate and on time.",
  "Runs campaign and attribution analytics.",
  "Supports regional stakeholders with data.",
  "Maintains source connections and schemas."
] as const

export const customRoleNames = {
  ACCOUNT: ["Security Auditor", "Finance Viewer", "Compliance Reviewer", "Support Analyst", "Data Governance Lead"],
  DESTINATION: ["Warehouse Steward", "Destination Operator", "Schema Curator", "Data Loader"],
  CONNECTOR: ["Pipeline Operator", "Sync Monitor", "Connection Troubleshooter", "Source Owner"]
} as const
